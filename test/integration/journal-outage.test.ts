import assert from "node:assert/strict";
import { test } from "node:test";
import { TestCluster, bothReconnected, play, type Pair } from "../support/cluster-match.ts";
import { eventually } from "../support/eventually.ts";
import { assertListingsExact } from "../support/listings.ts";
import { assertOneHistory, leaseHolder } from "../support/match-history.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

const skip = (await redisUnavailable()) ?? (await postgresUnavailable());
const testRedis = new URL(TEST_REDIS_URL);

/**
 * How long the short outage lasts: the fault under test, not a wait for an event. Well under
 * the lease (3 s), so the process keeps its match; long enough that the old code sent about
 * fifteen unstored frames during it (20 Hz).
 */
const SHORT_OUTAGE_MS = 1000;
/** Frames that may still reach a player after Redis became unreachable: those stored just before. */
const IN_FLIGHT_FRAMES = 2;
/** The outage limit of the cluster that tests it (the default, 15 s, would make the test slow). */
const TEST_OUTAGE_LIMIT_MS = 2000;

/** Two processes, each reaching Redis through its own proxy (to cut one of them off). */
async function proxiedCluster(env: Record<string, string> = {}): Promise<{ cluster: TestCluster; proxies: TcpProxy[]; close(): Promise<void> }> {
  await flushTestRedis();
  const proxies = [await TcpProxy.start(testRedis.hostname, Number(testRedis.port)), await TcpProxy.start(testRedis.hostname, Number(testRedis.port))];
  const cluster = await TestCluster.start(
    proxies.map((proxy) => `redis://127.0.0.1:${proxy.port}${testRedis.pathname}`),
    env,
  );
  return {
    cluster,
    proxies,
    close: async () => {
      await cluster.stop();
      await Promise.all(proxies.map((proxy) => proxy.close()));
    },
  };
}

/** The process running the pair's match, the other one, and the proxy in front of the first. */
async function sides(cluster: TestCluster, proxies: readonly TcpProxy[], pair: Pair) {
  const owner = await cluster.ownerOf(pair.a.roomId);
  const survivor = cluster.nodes.find((node) => node !== owner)!;
  return { owner, survivor, proxy: proxies[cluster.nodes.indexOf(owner)]!, survivorId: (await cluster.adminRooms(survivor)).processId };
}

const wireCount = (pair: Pair): number => Math.max(pair.ra.wire.length, pair.rb.wire.length);
const lastFrame = (pair: Pair): number => Math.max(pair.ra.frames.at(-1)!.frame, pair.rb.frames.at(-1)!.frame);

test("a short Redis outage: no frame is sent unstored, the journal keeps its numbers, and after a crash the match continues after the last frame anyone saw", {
  skip,
}, async () => {
  const { cluster, proxies, close } = await proxiedCluster();
  try {
    const pair = await cluster.pair();
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    const { owner, survivor, proxy } = await sides(cluster, proxies, pair);

    const sentBefore = wireCount(pair);
    proxy.refuse();
    await new Promise((resolve) => setTimeout(resolve, SHORT_OUTAGE_MS)); // the outage itself
    const sentDuring = wireCount(pair) - sentBefore;
    proxy.forward();
    assert.ok(sentDuring <= IN_FLIGHT_FRAMES, `${sentDuring} frames reached a player while Redis was unreachable`);
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    assert.equal(await cluster.ownerOf(pair.a.roomId), owner, "the process kept its match through the outage");

    const beforeCrash = lastFrame(pair);
    const back = bothReconnected(pair);
    await owner.stop("SIGKILL");
    await back;
    assert.equal(await cluster.ownerOf(pair.a.roomId), survivor);
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    assert.ok(lastFrame(pair) > beforeCrash, "frame numbers continue after the crash");
    await assertOneHistory(pair, TEST_REDIS_URL);
    console.log(
      `short outage, then SIGKILL: frames lost 0, frames sent while Redis was unreachable ${sentDuring}, last frame before the crash ${beforeCrash}, match continued to ${lastFrame(pair)}`,
    );
  } finally {
    await close();
  }
});

test("the owner cut off from Redis past its lease: the other process resumes the match, and the old owner stops without sending a frame of its own", {
  skip,
}, async () => {
  const { cluster, proxies, close } = await proxiedCluster();
  try {
    const pair = await cluster.pair();
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    const { owner, survivor, proxy, survivorId } = await sides(cluster, proxies, pair);

    const sentBefore = wireCount(pair);
    const back = bothReconnected(pair);
    proxy.stall();
    await eventually(async () => assert.equal(await leaseHolder(TEST_REDIS_URL, pair.a.roomId), survivorId), 20_000);
    const sentWhileCutOff = wireCount(pair) - sentBefore;
    proxy.forward();
    await back;
    assert.ok(sentWhileCutOff <= IN_FLIGHT_FRAMES, `${sentWhileCutOff} frames reached a player from the process that lost the match`);
    assert.match(owner.output, /given up at frame \d+ \(journal: fenced\)/);
    assert.equal(await cluster.ownerOf(pair.a.roomId), survivor);
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    await assertOneHistory(pair, TEST_REDIS_URL);
    await eventually(() => assertListingsExact(cluster, cluster.nodes));
    console.log(`fenced: frames lost 0, frames sent by the fenced process ${sentWhileCutOff}`);
  } finally {
    await close();
  }
});

test(`Redis unreachable longer than the outage limit: the owner gives the match up (4010) and it continues on the other process`, { skip }, async () => {
  const { cluster, proxies, close } = await proxiedCluster({ STORE_OUTAGE_LIMIT_MS: String(TEST_OUTAGE_LIMIT_MS) });
  try {
    const pair = await cluster.pair();
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    const { owner, survivor, proxy, survivorId } = await sides(cluster, proxies, pair);

    const dropped = Promise.all([
      new Promise((resolve) => pair.a.onDrop(() => resolve(undefined))),
      new Promise((resolve) => pair.b.onDrop(() => resolve(undefined))),
    ]);
    const back = bothReconnected(pair);
    const cutAt = Date.now();
    proxy.refuse();
    await dropped;
    const givenUpAfter = Date.now() - cutAt;
    assert.ok(givenUpAfter >= TEST_OUTAGE_LIMIT_MS, `given up after ${givenUpAfter} ms`);
    assert.equal(pair.ra.closes.at(-1), 4010);
    assert.match(owner.output, /given up at frame \d+ \(journal: outage\)/);
    await eventually(async () => assert.equal(await leaseHolder(TEST_REDIS_URL, pair.a.roomId), survivorId), 20_000);
    proxy.forward();
    await back;
    assert.equal(await cluster.ownerOf(pair.a.roomId), survivor);
    await Promise.all([play(pair.a, pair.ra, 2), play(pair.b, pair.rb, 2)]);
    await assertOneHistory(pair, TEST_REDIS_URL);
    await eventually(() => assertListingsExact(cluster, cluster.nodes));
    console.log(`outage limit ${TEST_OUTAGE_LIMIT_MS} ms: given up after ${givenUpAfter} ms, frames lost 0`);
  } finally {
    await close();
  }
});
