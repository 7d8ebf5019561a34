import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SqlReplayStore } from "../../src/accounts/replay-store.ts";
import { openEmbeddedDatabase, type SqlClient } from "../../src/accounts/sql-client.ts";
import { LockstepMetrics } from "../../src/lockstep/metrics.ts";
import { ReplayArchive, ReplayFramesGone, type FinishedMatch } from "../../src/lockstep/replay-archive.ts";
import type { ReplayStore, StoredReplay } from "../../src/lockstep/replay-store.ts";
import { ByteWriter } from "../../src/protocol/byte-writer.ts";
import { encodeFrame } from "../../src/protocol/frame-codec.ts";
import { readReplayDocument, runsOfFrames, type ReplayHeader } from "../../src/protocol/replay-format.ts";
import { participant, replayHeader } from "../support/replay-header.ts";

let sql: SqlClient;
let store: SqlReplayStore;

before(async () => {
  sql = await openEmbeddedDatabase();
  store = await SqlReplayStore.open(sql);
});

after(async () => {
  await sql?.close();
});

/** Frames 0..count-1 of a two-player match, each with one 12-byte input per player. */
function frames(count: number): Uint8Array[] {
  const writer = new ByteWriter();
  return Array.from({ length: count }, (_, frame) => {
    const entries = [0, 1].map((slot) => ({ type: "action" as const, slot, payload: new Uint8Array(12).fill(frame % 7) }));
    return encodeFrame(writer.reset(), { frame, entries }).toBytes();
  });
}

function header(lastFrame: number, overrides: Partial<ReplayHeader> = {}): ReplayHeader {
  return replayHeader({
    seed: 42,
    checksum_interval: 30,
    participants: [participant("ann", 0)],
    settings: { frame_rate: 30 },
    result: { winner: "ann" },
    ended_at: new Date().toISOString(),
    checksums: [{ frame: 30, hash: "abc" }],
    last_frame: lastFrame,
    ...overrides,
  });
}

/** A match whose frames come from memory, as a single-process room hands it over. */
function finished(count: number, overrides: Partial<ReplayHeader> = {}): FinishedMatch & { readonly all: Uint8Array[] } {
  const all = frames(count);
  return { header: header(count - 1, overrides), frames: async () => ({ firstFrame: 0, runs: runsOfFrames(all) }), all };
}

/** The real store, failing its first `failures` saves as a database that is down does. */
class FlakyStore implements ReplayStore {
  saves = 0;
  constructor(
    readonly inner: ReplayStore,
    public failures: number,
  ) {}
  async save(replay: StoredReplay): Promise<void> {
    this.saves++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error("connection refused");
    }
    return this.inner.save(replay);
  }
  list = (...args: Parameters<ReplayStore["list"]>) => this.inner.list(...args);
  summary = (id: string) => this.inner.summary(id);
  get = (id: string) => this.inner.get(id);
  delete = (id: string) => this.inner.delete(id);
  deleteEndedBefore = (time: Date) => this.inner.deleteEndedBefore(time);
}

test("a recorded match is compressed and stored; the stored document holds its exact frames and header", async () => {
  const metrics = new LockstepMetrics();
  const archive = new ReplayArchive({ store, metrics });
  const match = finished(300);
  archive.record(match);
  await archive.settled();
  const stored = await store.get(match.header.id);
  assert.ok(stored !== undefined);
  const document = await readReplayDocument(stored.document);
  assert.deepEqual(document.frames, match.all);
  assert.deepEqual({ ...document, frames: undefined }, { ...match.header, frames: undefined });
  assert.equal(stored.summary.size_bytes, stored.document.byteLength);
  assert.ok(stored.document.byteLength < match.all.reduce((sum, frame) => sum + frame.byteLength, 0) / 4, "compressed");
  assert.equal(metrics.replaysStored, 1);
});

test("a failed write is retried until it succeeds, and the journal is discarded only then", async () => {
  const flaky = new FlakyStore(store, 2);
  const metrics = new LockstepMetrics();
  const archive = new ReplayArchive({ store: flaky, metrics, retryDelaysMs: [1, 1, 1] });
  let discarded = 0;
  const match = finished(10);
  archive.record({ ...match, archived: async () => void discarded++ });
  await archive.settled();
  assert.equal(flaky.saves, 3);
  assert.equal(discarded, 1);
  assert.notEqual(await store.get(match.header.id), undefined);
  assert.equal(metrics.replaysStored, 1);
  assert.equal(metrics.replaysFailed, 0);
});

test("a write that fails every retry is counted and logged as not stored; the journal is kept", async () => {
  const flaky = new FlakyStore(store, 100);
  const metrics = new LockstepMetrics();
  const archive = new ReplayArchive({ store: flaky, metrics, retryDelaysMs: [1, 1] });
  let discarded = 0;
  const match = finished(10);
  archive.record({ ...match, archived: async () => void discarded++ });
  await archive.settled();
  assert.equal(flaky.saves, 3, "the first attempt and one per retry delay");
  assert.equal(metrics.replaysFailed, 1);
  assert.equal(discarded, 0, "the hot copy stays for its own expiry");
  assert.equal(await store.get(match.header.id), undefined);
});

test("reading the frames is retried too (Redis down at the end of the match)", async () => {
  const archive = new ReplayArchive({ store, retryDelaysMs: [1, 1] });
  const match = finished(5);
  let reads = 0;
  archive.record({
    header: match.header,
    frames: async () => {
      reads++;
      if (reads === 1) throw new Error("Redis is unreachable");
      return { firstFrame: 0, runs: runsOfFrames(match.all) };
    },
  });
  await archive.settled();
  assert.equal(reads, 2);
  assert.notEqual(await store.get(match.header.id), undefined);
});

test("a replay over maxReplayBytes, or missing its first frames, is refused at once and counted", async () => {
  const metrics = new LockstepMetrics();
  const flaky = new FlakyStore(store, 0);
  const archive = new ReplayArchive({ store: flaky, metrics, maxReplayBytes: 200 });
  const large = finished(2000);
  archive.record(large);
  const evicted = finished(10);
  archive.record({ header: evicted.header, frames: async () => ({ firstFrame: 4, runs: runsOfFrames(evicted.all.slice(4)) }) });
  const short = finished(10);
  archive.record({ header: short.header, frames: async () => ({ firstFrame: 0, runs: runsOfFrames(short.all.slice(0, 6)) }) });
  await archive.settled();
  assert.equal(metrics.replaysRefused, 3);
  assert.equal(flaky.saves, 0, "nothing was written, nothing retried");
});

test("the write queue is bounded: past maxPending, a finished match is refused and counted", async () => {
  const metrics = new LockstepMetrics();
  const archive = new ReplayArchive({ store, metrics, maxPending: 2 });
  const matches = [finished(5), finished(5), finished(5)];
  for (const match of matches) archive.record(match);
  assert.equal(archive.pending, 2);
  await archive.settled();
  assert.equal(metrics.replaysStored, 2);
  assert.equal(metrics.replaysRefused, 1);
  assert.equal(await store.get(matches[2]!.header.id), undefined);
});

test("close gives a failing write one more immediate attempt instead of waiting out its delay", async () => {
  const flaky = new FlakyStore(store, 1);
  const archive = new ReplayArchive({ store: flaky, retryDelaysMs: [3_600_000] });
  const match = finished(5);
  archive.record(match);
  // The first attempt fails and waits an hour; closing cuts the wait short.
  while (flaky.saves === 0) await new Promise((resolve) => setImmediate(resolve));
  await archive.close();
  assert.equal(flaky.saves, 2);
  assert.notEqual(await store.get(match.header.id), undefined);
  archive.record(finished(5));
  assert.equal(archive.pending, 0, "a closed archive takes nothing more");
});

test("the sweep deletes replays past their retention, and keeps the rest", async () => {
  const archive = new ReplayArchive({ store, retentionDays: 7 });
  const old = finished(3, { ended_at: new Date(Date.now() - 8 * 86_400_000).toISOString() });
  const recent = finished(3, { ended_at: new Date(Date.now() - 6 * 86_400_000).toISOString() });
  archive.record(old);
  archive.record(recent);
  await archive.settled();
  assert.ok((await archive.sweep()) >= 1);
  assert.equal(await store.get(old.header.id), undefined);
  assert.notEqual(await store.get(recent.header.id), undefined);
  assert.equal(await new ReplayArchive({ store, retentionDays: 0 }).sweep(), 0, "retention 0 keeps everything");
});

test("a replay waiting out a retry delay does not hold up the next one; frames gone for good are not retried", async () => {
  const stuck = finished(5);
  const next = finished(5);
  const failing: ReplayStore = {
    save: (replay) => (replay.summary.id === stuck.header.id ? Promise.reject(new Error("statement timeout")) : store.save(replay)),
    list: (query) => store.list(query),
    summary: (id) => store.summary(id),
    get: (id) => store.get(id),
    delete: (id) => store.delete(id),
    deleteEndedBefore: (time) => store.deleteEndedBefore(time),
  };
  const metrics = new LockstepMetrics();
  const archive = new ReplayArchive({ store: failing, metrics, retryDelaysMs: [3_600_000] });
  archive.record(stuck);
  const nextStored = new Promise<boolean>((resolve) => archive.record({ ...next, settled: resolve }));
  const reads: number[] = [];
  archive.record({
    header: finished(3).header,
    frames: async () => {
      reads.push(1);
      throw new ReplayFramesGone("the journal is gone from the store");
    },
  });
  assert.equal(await nextStored, true, "written while the other waits an hour to retry");
  assert.notEqual(await store.get(next.header.id), undefined);
  await archive.close();
  assert.equal(await store.get(stuck.header.id), undefined);
  assert.deepEqual(reads, [1], "gone frames are read once");
  assert.equal(metrics.replaysFailed, 1);
  assert.equal(metrics.replaysRefused, 1);
});
