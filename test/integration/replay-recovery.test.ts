import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { SqlReplayStore } from "../../src/accounts/replay-store.ts";
import { openEmbeddedDatabase, type SqlClient } from "../../src/accounts/sql-client.ts";
import { LockstepMetrics } from "../../src/lockstep/metrics.ts";
import { ReplayArchive } from "../../src/lockstep/replay-archive.ts";
import { readReplayDocument, type ReplayHeader } from "../../src/protocol/replay-format.ts";
import type { JournalOwner, MatchStore } from "../../src/scaling/match-store.ts";
import { Redis } from "ioredis";
import { RedisMatchStore } from "../../src/scaling/redis-match-store.ts";
import { ReplayRecovery } from "../../src/scaling/replay-recovery.ts";
import { eventually } from "../support/eventually.ts";
import { frameToBytes } from "../support/frames.ts";
import { TEST_REDIS_URL, redisUnavailable } from "../support/redis.ts";
import { participant, replayHeader } from "../support/replay-header.ts";

const skip = await redisUnavailable();
const owner: JournalOwner = { processId: "gone-process", leaseTtlMs: 60_000 };
/** This file's keys in the shared test Redis. */
const prefix = `replay-recovery-${randomUUID()}`;
let matches: RedisMatchStore;
let sql: SqlClient;
let replays: SqlReplayStore;

before(async () => {
  if (skip !== undefined) return;
  matches = new RedisMatchStore(TEST_REDIS_URL, { prefix });
  sql = await openEmbeddedDatabase();
  replays = await SqlReplayStore.open(sql);
});

after(async () => {
  await matches?.close();
  await sql?.close();
});

const frames = (count: number): Uint8Array[] =>
  Array.from({ length: count }, (_, frame) => frameToBytes({ frame, entries: [{ type: "action", slot: 0, payload: Uint8Array.of(frame % 5, 1, 2) }] }));

function header(roomId: string, lastFrame: number, endedAt: Date): ReplayHeader {
  const at = endedAt.toISOString();
  return replayHeader({ room_id: roomId, seed: 9, participants: [participant("ann", 0, at)], started_at: at, ended_at: at, last_frame: lastFrame });
}

/** A match journaled in Redis and ended by a process that then died before writing its replay. */
async function endedUnwritten(count: number, endedAt: Date, retainSeconds = 600): Promise<{ roomId: string; header: ReplayHeader; frames: Uint8Array[] }> {
  const roomId = `room-${randomUUID().slice(0, 8)}`;
  const all = frames(count);
  const replay = header(roomId, count - 1, endedAt);
  const match = { roomId, roomName: "arena", match: { players: [], seed: 9, frame_rate: 30, start_frame: 0 }, seats: [], status: "running" } as const;
  assert.deepEqual(await matches.openJournal(owner, match, 0), { status: "ok" });
  assert.equal((await matches.storeFrames(owner, roomId, 0, all)).status, "stored");
  assert.deepEqual(await matches.finish(owner, roomId, retainSeconds, replay), { status: "ok" });
  return { roomId, header: replay, frames: all };
}

test("a replay the ending process never wrote is written by another process's scan, and its Redis journal removed", { skip }, async () => {
  const ended = await endedUnwritten(90, new Date(Date.now() - 11 * 60_000));
  const metrics = new LockstepMetrics();
  const archive = new ReplayArchive({ store: replays, metrics });
  const recovery = new ReplayRecovery(matches, archive);
  assert.equal(await recovery.scan(), 1);
  assert.equal(await recovery.scan(), 0, "not handed twice while it is being written");
  await archive.settled();
  const stored = await replays.get(ended.header.id);
  assert.ok(stored !== undefined, "the replay is in the database");
  const document = await readReplayDocument(stored.document);
  assert.deepEqual(document.frames, ended.frames);
  assert.equal(document.room_id, ended.roomId);
  assert.equal(await matches.loadMatch(ended.roomId), undefined, "the Redis copy is gone");
  assert.ok(!(await matches.pendingReplays()).includes(ended.roomId));
  assert.equal(metrics.replaysStored, 1);
});

test("a replay still within its grace period is left to the process that ended the match", { skip }, async () => {
  const ended = await endedUnwritten(5, new Date());
  const archive = new ReplayArchive({ store: replays });
  const recovery = new ReplayRecovery(matches, archive);
  assert.equal(await recovery.scan(), 0);
  assert.ok((await matches.pendingReplays()).includes(ended.roomId), "still pending");
  const later = new ReplayRecovery(matches, archive, { now: () => Date.now() + 11 * 60_000 });
  assert.equal(await later.scan(), 1, "picked up once the grace period is over");
  await archive.settled();
  assert.notEqual(await replays.get(ended.header.id), undefined);
});

/** The real Redis store, recording the matches whose frames, and whose headers, were read for a pending replay. */
function countingFrameReads(store: RedisMatchStore): { store: MatchStore; frameReads: string[]; headerReads: string[] } {
  const frameReads: string[] = [];
  const headerReads: string[] = [];
  const counting = new Proxy(store, {
    get(target, key) {
      if (key === "finishedFrames" || key === "pendingReplayHeader") {
        return (roomId: string) => {
          if (key === "finishedFrames") {
            frameReads.push(roomId);
            return target.finishedFrames(roomId);
          }
          headerReads.push(roomId);
          return target.pendingReplayHeader(roomId);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      // Bound: the store's private fields need the store itself as `this`.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: counting, frameReads, headerReads };
}

test("a scan reads neither the header nor the frames of a replay within its grace period, only of one that is due", { skip }, async () => {
  const young = await endedUnwritten(40, new Date());
  const { store, frameReads, headerReads } = countingFrameReads(matches);
  const archive = new ReplayArchive({ store: replays });
  assert.equal(await new ReplayRecovery(store, archive).scan(), 0);
  assert.ok((await matches.pendingReplays()).includes(young.roomId), "still pending");
  assert.ok(!frameReads.includes(young.roomId), "its frames were not read");
  assert.ok(!headerReads.includes(young.roomId), "nor its header (it may carry a megabyte of snapshots): only when it ended");
  assert.equal(await new ReplayRecovery(store, archive, { now: () => Date.now() + 11 * 60_000 }).scan(), 1);
  assert.ok(frameReads.includes(young.roomId), "read once due");
  await archive.settled();
  assert.deepEqual((await readReplayDocument((await replays.get(young.header.id))!.document)).frames, young.frames);
});

test("a replay whose write fails is scanned again on the next pass, and one whose journal expired is dropped, not retried forever", { skip }, async () => {
  const ended = await endedUnwritten(5, new Date(Date.now() - 11 * 60_000));
  let failures = 1;
  const failing = new ReplayArchive({
    store: {
      ...replays,
      save: async (replay) => {
        if (failures-- > 0) throw new Error("database down");
        return replays.save(replay);
      },
      list: (query) => replays.list(query),
      summary: (id) => replays.summary(id),
      get: (id) => replays.get(id),
      delete: (id) => replays.delete(id),
      deleteEndedBefore: (time) => replays.deleteEndedBefore(time),
    },
    retryDelaysMs: [],
  });
  const recovery = new ReplayRecovery(matches, failing);
  assert.equal(await recovery.scan(), 1);
  await failing.settled();
  assert.equal(await replays.get(ended.header.id), undefined, "the first write failed for good");
  assert.equal(await recovery.scan(), 1, "handed again on the next scan");
  await failing.settled();
  assert.notEqual(await replays.get(ended.header.id), undefined);

  const expired = await endedUnwritten(3, new Date(Date.now() - 11 * 60_000), 0);
  assert.equal(await recovery.scan(), 0);
  assert.ok(!(await matches.pendingReplays()).includes(expired.roomId), "an expired journal leaves the pending set");
});

test("a replay whose journal cannot be read is refused once, not handed again, and forgotten once its journal expires", { skip }, async () => {
  const broken = await endedUnwritten(6, new Date(Date.now() - 11 * 60_000), 3);
  // Frame 3's bytes replaced by another frame's: the journal no longer adds up.
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await redis.lset(`${prefix}:match:${broken.roomId}:frames`, 3, Buffer.from(broken.frames[1]!));
  } finally {
    redis.disconnect();
  }
  const archive = new ReplayArchive({ store: replays, metrics: new LockstepMetrics() });
  const recovery = new ReplayRecovery(matches, archive, { now: () => Date.now() + 11 * 60_000 });
  assert.equal(await recovery.scan(), 1, "handed to the archive, which reads the frames");
  await archive.settled();
  assert.equal(await replays.get(broken.header.id), undefined, "not stored: its frames do not add up");
  assert.equal(await recovery.scan(), 0, "not handed again");
  assert.ok((await matches.pendingReplays()).includes(broken.roomId), "kept pending, for inspection, while its journal lasts");
  await eventually(async () => {
    assert.equal(await recovery.scan(), 0);
    assert.ok(!(await matches.pendingReplays()).includes(broken.roomId), "dropped once its journal expired");
  });
});
