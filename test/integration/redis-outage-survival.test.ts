import assert from "node:assert/strict";
import { test } from "node:test";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { TestCluster } from "../support/cluster-match.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

const skip = (await redisUnavailable()) ?? (await postgresUnavailable());
const testRedis = new URL(TEST_REDIS_URL);

/**
 * How long Redis refuses connections: the fault under test. Colyseus's Redis presence gave up
 * on its calls after ioredis's 20 reconnection attempts (about 10 s): a promise nobody awaits
 * was rejected, which ended the process; and, kept alive, its subscriber came back with its
 * queue stuck, so every room created afterwards hung.
 */
const OUTAGE_MS = 12_000;

test("a Redis that refuses connections for 12 s neither brings the process down nor leaves its matchmaking stuck; it serves again once Redis is back", {
  skip,
  timeout: 60_000,
}, async () => {
  await flushTestRedis();
  const proxy = await TcpProxy.start(testRedis.hostname, Number(testRedis.port));
  const cluster = await TestCluster.start([`redis://127.0.0.1:${proxy.port}${testRedis.pathname}`]);
  const node = cluster.nodes[0]!;
  try {
    proxy.refuse();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    assert.equal(node.running, true, `the process is still up after ${OUTAGE_MS} ms without Redis:\n${node.output.slice(-2000)}`);
    proxy.forward();
    const client = new LockstepClient(node.url);
    await client.loginAnonymous({ name: "After" });
    const match = await client.create("arena");
    assert.ok(match.roomId.length > 0, "matchmaking works again");
    await match.leave();
  } finally {
    await cluster.stop();
    await proxy.close();
  }
});
