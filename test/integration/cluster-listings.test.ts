import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TestCluster, bothReconnected, consecutiveFromZero, play } from "../support/cluster-match.ts";
import { eventually } from "../support/eventually.ts";
import { assertListingsExact } from "../support/listings.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";

const skip = (await redisUnavailable()) ?? (await postgresUnavailable());
let cluster: TestCluster;

before(async () => {
  if (skip !== undefined) return;
  await flushTestRedis();
  cluster = await TestCluster.start([TEST_REDIS_URL, TEST_REDIS_URL]);
});

after(async () => {
  await cluster?.stop();
});

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`reload after ${signal} with a match running: every room listing, client count and process count stays exact`, { skip }, async () => {
    const pair = await cluster.pair();
    const { a, b, ra, rb } = pair;
    await Promise.all([play(a, ra, 2), play(b, rb, 2)]);
    await eventually(() => assertListingsExact(cluster, cluster.nodes));

    // What `pm2 reload` does to one process: stop it (the match moves), start it again on the same port.
    const owner = await cluster.ownerOf(a.roomId);
    const survivor = cluster.nodes.find((node) => node !== owner)!;
    const back = bothReconnected(pair);
    await owner.stop(signal);
    try {
      await back;
      await eventually(() => assertListingsExact(cluster, [survivor]));
    } finally {
      await owner.start();
    }
    assert.equal(await cluster.ownerOf(a.roomId), survivor, "the match runs on the process that took it over");
    await Promise.all([play(a, ra, 2), play(b, rb, 2)]);
    assert.ok(consecutiveFromZero(ra.frames) && consecutiveFromZero(rb.frames), "both streams are whole");
    await eventually(() => assertListingsExact(cluster, cluster.nodes));

    // Leaving one by one: the counts follow, and nothing is left behind once the match is over.
    await b.leave();
    await eventually(() => assertListingsExact(cluster, cluster.nodes));
    await a.leave();
    await eventually(async () => {
      await assertListingsExact(cluster, cluster.nodes);
      assert.deepEqual((await cluster.adminRooms(survivor)).rooms, [], "no room is left");
    });
  });
}
