import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { frameToBytes } from "../support/frames.ts";
import { JournalError, JournalErrorCode } from "../../src/scaling/match-store.ts";
import { MemoryMatchStore } from "../support/memory-match-store.ts";
import { RedisMatchStore } from "../../src/scaling/redis-match-store.ts";
import { matchStoreContract } from "../contract/match-store.contract.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";

const unavailable = await redisUnavailable();
const skip = unavailable;

matchStoreContract("memory", async () => new MemoryMatchStore());
matchStoreContract(
  "Redis",
  async () => {
    await flushTestRedis();
    return new RedisMatchStore(TEST_REDIS_URL, { prefix: `contract-${process.pid}` });
  },
  unavailable !== undefined ? { skip: unavailable } : {},
);

/** Writes a journal straight into Redis, as a store with the positional layout of earlier versions could leave it. */
async function writeRawJournal(prefix: string, roomId: string, first: number, numbers: readonly number[]): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const record = { roomId, roomName: "arena", match: { players: [], seed: 1, frame_rate: 30, start_frame: 0 }, seats: [], status: "running" };
    await redis.hset(`${prefix}:match:${roomId}:meta`, "record", JSON.stringify(record), "first", String(first));
    await redis.rpush(`${prefix}:match:${roomId}:frames`, ...numbers.map((frame) => Buffer.from(frameToBytes({ frame, entries: [] }))));
  } finally {
    await redis.quit();
  }
}

test("Redis: a journal with a hole, written at drifting positions or in another layout, is refused with a named error", { skip }, async () => {
  const prefix = `holes-${process.pid}`;
  const store = new RedisMatchStore(TEST_REDIS_URL, { prefix });
  try {
    await writeRawJournal(prefix, "holed", 0, [0, 1, 2, 4, 5]);
    await writeRawJournal(prefix, "drifted", 0, [0, 1, 2, 9, 10, 3]);
    await writeRawJournal(prefix, "whole", 5, [5, 6, 7]);
    const redis = new Redis(TEST_REDIS_URL);
    await redis
      .multi()
      .set(`${prefix}:match:old-layout:meta`, JSON.stringify({ roomId: "old-layout" }))
      .sadd(`${prefix}:matches`, "old-layout")
      .exec()
      .finally(() => redis.quit());
    await assert.rejects(
      store.loadMatch("holed"),
      (error: unknown) => error instanceof JournalError && error.code === JournalErrorCode.JOURNAL_HOLE && /frame 3 is missing/.test(error.message),
    );
    await assert.rejects(store.loadMatch("drifted"), (error: unknown) => error instanceof JournalError && error.code === JournalErrorCode.JOURNAL_HOLE);
    await assert.rejects(store.loadMatch("old-layout"), (error: unknown) => error instanceof JournalError && error.code === JournalErrorCode.JOURNAL_CORRUPT);
    assert.equal(await store.claim("old-layout", "p1", 5000), true);
    assert.deepEqual(
      await store.quarantine({ processId: "p1", leaseTtlMs: 5000 }, "old-layout", JournalErrorCode.JOURNAL_CORRUPT, 60),
      { status: "ok" },
      "even a record of another layout can be set aside",
    );
    const whole = await store.loadMatch("whole");
    assert.equal(whole?.firstFrame, 5);
    assert.equal(whole?.frames.length, 3);
  } finally {
    await store.close();
  }
});
