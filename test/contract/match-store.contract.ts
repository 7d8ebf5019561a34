import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { frameToBytes } from "../support/frames.ts";
import type { FrameBytesRun, ReplayHeader } from "../../src/protocol/replay-format.ts";
import { replayHeader } from "../support/replay-header.ts";
import type { JournalOwner, MatchStore, PersistedMatch } from "../../src/scaling/match-store.ts";

const sample = (roomId: string): PersistedMatch => ({
  roomId,
  roomName: "arena",
  match: { players: [{ uid: "u1", slot: 0, name: "Ada", role: "player", ready: true, connected: true }], seed: 7, frame_rate: 30, start_frame: 0 },
  seats: [{ sessionId: "s1", reconnectionToken: "t1", uid: "u1", name: "Ada", role: "player", slot: 0, auth: { id: "u1" } }],
  status: "running",
});

/** Frame `number` as the room encodes it, with an action of `payload` bytes (so two versions of a frame can differ). */
const frame = (number: number, payload = 0): Uint8Array =>
  frameToBytes({ frame: number, entries: payload === 0 ? [] : [{ type: "action", slot: 0, payload: Uint8Array.of(payload) }] });
/** The frames of runs, one by one (copies). */
const framesOfRuns = (runs: readonly FrameBytesRun[]): Uint8Array[] =>
  runs.flatMap((run) => Array.from(run.ends, (end, index) => run.bytes.slice(index === 0 ? 0 : run.ends[index - 1], end)));
const frames = (from: number, to: number, payload = 0): Uint8Array[] => Array.from({ length: to - from + 1 }, (_, index) => frame(from + index, payload));

/** A replay header for a match of `roomId` that ended at frame `lastFrame`. */
const replayHeaderOf = (roomId: string, lastFrame: number): ReplayHeader => replayHeader({ id: `replay-${roomId}`, room_id: roomId, last_frame: lastFrame });

/** Long enough for no lease to lapse during a test that does not wait for it. */
const LONG_TTL_MS = 60_000;
const first: JournalOwner = { processId: "process-1", leaseTtlMs: LONG_TTL_MS };
const second: JournalOwner = { processId: "process-2", leaseTtlMs: LONG_TTL_MS };

/** The contract of every {@link MatchStore}: run by the memory and the Redis implementations alike. */
export function matchStoreContract(name: string, open: () => Promise<MatchStore>, options: { skip?: string } = {}): void {
  const skip = options.skip;
  let store: MatchStore;
  before(async () => {
    if (skip === undefined) store = await open();
  });
  after(async () => {
    await store?.close();
  });

  test(`${name}: frames are stored by number, byte for byte, and loaded in order`, { skip }, async () => {
    assert.deepEqual(await store.openJournal(first, sample("room-a"), 0), { status: "ok" });
    assert.deepEqual(await store.storeFrames(first, "room-a", 0, frames(0, 2)), { status: "stored", lastFrame: 2 });
    assert.deepEqual(await store.storeFrames(first, "room-a", 3, [frame(3, 0xff)]), { status: "stored", lastFrame: 3 });
    const loaded = await store.loadMatch("room-a");
    assert.deepEqual(loaded?.match, sample("room-a"));
    assert.equal(loaded?.firstFrame, 0);
    assert.deepEqual(loaded?.frames, [...frames(0, 2), frame(3, 0xff)]);
    assert.deepEqual(await store.activeMatches(), ["room-a"]);
    assert.equal(await store.loadMatch("missing"), undefined);
  });

  test(`${name}: storing a frame again is idempotent; a different frame with a stored number is a conflict`, { skip }, async () => {
    assert.deepEqual(await store.storeFrames(first, "room-a", 2, [frame(2), frame(3, 0xff), frame(4)]), { status: "stored", lastFrame: 4 });
    assert.deepEqual(await store.storeFrames(first, "room-a", 0, frames(0, 2)), { status: "stored", lastFrame: 4 });
    assert.deepEqual(await store.storeFrames(first, "room-a", 3, [frame(3, 0x01), frame(4), frame(5)]), { status: "conflict", frame: 3 });
    assert.equal((await store.loadMatch("room-a"))?.frames.length, 5, "nothing of a conflicting write is stored");
  });

  test(`${name}: a write that would leave a hole is refused with the journal's end`, { skip }, async () => {
    assert.deepEqual(await store.storeFrames(first, "room-a", 7, frames(7, 8)), { status: "behind", nextFrame: 5 });
    assert.deepEqual(await store.storeFrames(first, "room-a", 5, frames(5, 8)), { status: "stored", lastFrame: 8 });
    const loaded = await store.loadMatch("room-a");
    assert.deepEqual(
      loaded?.frames.map((bytes) => bytes[0]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  test(`${name}: a later save replaces the record (seats, status) and keeps the frames`, { skip }, async () => {
    assert.deepEqual(await store.saveMatch(first, { ...sample("room-a"), status: "handover", seats: [] }), { status: "ok" });
    const loaded = await store.loadMatch("room-a");
    assert.equal(loaded?.match.status, "handover");
    assert.deepEqual(loaded?.match.seats, []);
    assert.equal(loaded?.frames.length, 9, "frames are kept");
  });

  test(`${name}: the latest verified snapshot is kept with the journal, replaced by the next, and fenced like every write`, { skip }, async () => {
    assert.equal((await store.loadMatch("room-a"))?.snapshot, undefined, "none until one is saved");
    const state = JSON.stringify({ coin: { x: 3, y: 4 }, note: "ünïcode" });
    assert.deepEqual(await store.saveSnapshot(first, "room-a", { frame: 6, state }), { status: "ok" });
    assert.deepEqual((await store.loadMatch("room-a"))?.snapshot, { frame: 6, state });
    assert.deepEqual(await store.saveSnapshot(first, "room-a", { frame: 8, state: "{}" }), { status: "ok" });
    assert.deepEqual(await store.saveSnapshot(second, "room-a", { frame: 9, state: '{"forged":1}' }), { status: "fenced" });
    const loaded = await store.loadMatch("room-a");
    assert.deepEqual(loaded?.snapshot, { frame: 8, state: "{}" }, "only the owner's latest");
    assert.equal(loaded?.frames.length, 9, "frames are kept");
    assert.deepEqual(await store.saveSnapshot(first, "room-none", { frame: 1, state: "{}" }), { status: "missing" });
    assert.equal(await store.loadMatch("room-none"), undefined, "a snapshot creates no journal");
  });

  test(`${name}: writes to a journal that does not exist say so, and create nothing`, { skip }, async () => {
    assert.deepEqual(await store.saveMatch(first, sample("room-x")), { status: "missing" });
    assert.deepEqual(await store.storeFrames(first, "room-x", 0, frames(0, 1)), { status: "missing" });
    assert.deepEqual(await store.renewLease(first, "room-x"), { held: true, recordExists: false });
    assert.equal(await store.loadMatch("room-x"), undefined);
    assert.ok(!(await store.activeMatches()).includes("room-x"));
  });

  test(`${name}: reopening rebuilds the journal from a later first frame`, { skip }, async () => {
    await store.openJournal(first, sample("room-r"), 0);
    await store.storeFrames(first, "room-r", 0, frames(0, 3));
    assert.deepEqual(await store.openJournal(first, sample("room-r"), 40), { status: "ok" });
    assert.deepEqual(await store.storeFrames(first, "room-r", 38, frames(38, 42)), { status: "stored", lastFrame: 42 });
    const loaded = await store.loadMatch("room-r");
    assert.equal(loaded?.firstFrame, 40, "frames before the first frame are not kept");
    assert.deepEqual(loaded?.frames, frames(40, 42));
    await store.saveSnapshot(first, "room-r", { frame: 41, state: "{}" });
    await store.openJournal(first, sample("room-r"), 40);
    assert.equal((await store.loadMatch("room-r"))?.snapshot, undefined, "a rebuilt journal starts without a snapshot (its owner writes it again)");
    await store.storeFrames(first, "room-r", 40, frames(40, 42));
  });

  test(`${name}: every write is fenced by the lease`, { skip }, async () => {
    assert.deepEqual(await store.renewLease(first, "room-a"), { held: true, recordExists: true });
    assert.equal(await store.leaseHolder("room-a"), "process-1");
    assert.deepEqual(await store.renewLease(second, "room-a"), { held: false, recordExists: true });
    assert.deepEqual(await store.storeFrames(second, "room-a", 9, [frame(9)]), { status: "fenced" });
    assert.deepEqual(await store.saveMatch(second, sample("room-a")), { status: "fenced" });
    assert.deepEqual(await store.openJournal(second, sample("room-a"), 0), { status: "fenced" });
    assert.deepEqual(await store.finish(second, "room-a", 60), { status: "fenced" });
    await store.releaseLease("room-a", "process-2");
    assert.equal(await store.leaseHolder("room-a"), "process-1", "only the holder releases a lease");
    await store.releaseLease("room-a", "process-1");
    assert.equal(await store.leaseHolder("room-a"), undefined);
    // With no lease alive and no claim, a write takes the lease; the former holder is fenced from then on.
    assert.deepEqual(await store.storeFrames(second, "room-a", 9, [frame(9)]), { status: "stored", lastFrame: 9 });
    assert.equal(await store.leaseHolder("room-a"), "process-2");
    assert.deepEqual(await store.storeFrames(first, "room-a", 10, [frame(10)]), { status: "fenced" });
    await store.releaseLease("room-a", "process-2");
  });

  test(`${name}: leases expire`, { skip }, async () => {
    await store.renewLease({ processId: "process-3", leaseTtlMs: 50 }, "room-a");
    assert.equal(await store.leaseHolder("room-a"), "process-3");
    await new Promise((resolve) => setTimeout(resolve, 120)); // the lease's own expiry is the event under test
    assert.equal(await store.leaseHolder("room-a"), undefined);
  });

  test(`${name}: exactly one of many concurrent claims wins, only while no lease is alive, and it fences the others`, { skip }, async () => {
    await store.renewLease(first, "room-a");
    assert.equal(await store.claim("room-a", "p9", 5000), false, "no claim while the lease is alive");
    await store.releaseLease("room-a", "process-1");
    const results = await Promise.all(["p1", "p2", "p3", "p4"].map((processId) => store.claim("room-a", processId, 5000)));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = ["p1", "p2", "p3", "p4"][results.indexOf(true)]!;
    assert.deepEqual(await store.renewLease(first, "room-a"), { held: false, recordExists: true }, "the former owner cannot take the lease back");
    assert.deepEqual(await store.storeFrames(first, "room-a", 10, [frame(10)]), { status: "fenced" });
    const claimer: JournalOwner = { processId: winner, leaseTtlMs: LONG_TTL_MS };
    assert.deepEqual(await store.renewLease(claimer, "room-a"), { held: true, recordExists: true }, "the claimer takes the lease");
    assert.equal(await store.claim("room-a", "p9", 5000), false);
    await store.releaseLease("room-a", winner);
    assert.equal(await store.claim("room-a", "p9", 5000), true, "the claim ended when its holder took the lease");
    await store.renewLease({ processId: "p9", leaseTtlMs: LONG_TTL_MS }, "room-a");
    await store.releaseLease("room-a", "p9");
  });

  test(`${name}: a finished match is no longer active but stays readable for its retention`, { skip }, async () => {
    await store.openJournal(first, sample("room-b"), 0);
    await store.storeFrames(first, "room-b", 0, frames(0, 1));
    assert.deepEqual(await store.finish(first, "room-b", 60), { status: "ok" });
    assert.deepEqual((await store.activeMatches()).sort(), ["room-a", "room-r"]);
    assert.equal((await store.loadMatch("room-b"))?.frames.length, 2);
    assert.equal(await store.leaseHolder("room-b"), undefined);
    // A scan that listed it while it ran finds no lease now; its claim must still fail, or the ended match would be resumed.
    assert.equal(await store.claim("room-b", "p9", 5000), false, "a finished match cannot be claimed");
  });

  test(`${name}: a match finished with its replay header waits among the pending replays until removed`, { skip }, async () => {
    await store.openJournal(first, sample("room-p"), 0);
    await store.storeFrames(first, "room-p", 0, frames(0, 2));
    const header = replayHeaderOf("room-p", 2);
    assert.deepEqual(await store.finish(first, "room-p", 60, header), { status: "ok" });
    assert.ok((await store.pendingReplays()).includes("room-p"));
    assert.equal(await store.pendingReplayEnd("room-p"), header.ended_at, "when it ended, for deciding whether the replay is due");
    assert.deepEqual(await store.pendingReplayHeader("room-p"), header, "the header alone, once it is");
    const read = await store.finishedFrames("room-p");
    assert.equal(read?.firstFrame, 0);
    assert.deepEqual(framesOfRuns(read!.runs), frames(0, 2));
    assert.equal(await store.remove("room-p"), true);
    assert.ok(!(await store.pendingReplays()).includes("room-p"), "removing the journal ends the wait");
    assert.equal(await store.finishedFrames("room-p"), undefined);
    assert.equal(await store.pendingReplayHeader("room-p"), undefined);
    assert.equal(await store.pendingReplayEnd("room-p"), undefined);
  });

  test(`${name}: a finished match's frames are read whole and in order, however long the match (more than one slice)`, { skip }, async () => {
    await store.openJournal(first, sample("room-x"), 5);
    const many = frames(5, 10_004);
    // In writes of a thousand, as a room stores a few frames at a time.
    for (let index = 0; index < many.length; index += 1000) await store.storeFrames(first, "room-x", 5 + index, many.slice(index, index + 1000));
    assert.deepEqual(await store.finish(first, "room-x", 60, replayHeaderOf("room-x", 10_004)), { status: "ok" });
    const read = await store.finishedFrames("room-x");
    assert.equal(read?.firstFrame, 5);
    assert.deepEqual(framesOfRuns(read!.runs), many);
    assert.equal(await store.remove("room-x"), true);
  });

  test(`${name}: reading only the header of a pending replay whose journal expired drops it from the pending set too`, { skip }, async () => {
    await store.openJournal(first, sample("room-y"), 0);
    await store.storeFrames(first, "room-y", 0, frames(0, 0));
    assert.deepEqual(await store.finish(first, "room-y", 0, replayHeaderOf("room-y", 0)), { status: "ok" });
    assert.equal(await store.pendingReplayHeader("room-y"), undefined);
    assert.ok(!(await store.pendingReplays()).includes("room-y"));
  });

  test(`${name}: remove deletes a finished match's journal, never an active one's`, { skip }, async () => {
    assert.equal(await store.remove("room-a"), false, "room-a is active");
    assert.notEqual(await store.loadMatch("room-a"), undefined);
    assert.equal(await store.remove("room-b"), true);
    assert.equal(await store.loadMatch("room-b"), undefined);
    assert.deepEqual((await store.activeMatches()).sort(), ["room-a", "room-r"]);
  });

  test(`${name}: a quarantined match leaves the active set for good`, { skip }, async () => {
    await store.releaseLease("room-r", "process-1");
    assert.equal(await store.claim("room-r", "p5", 5000), true);
    assert.deepEqual(await store.quarantine({ processId: "p5", leaseTtlMs: LONG_TTL_MS }, "room-r", "JOURNAL_HOLE", 60), { status: "ok" });
    assert.deepEqual(await store.activeMatches(), ["room-a"]);
    assert.equal(await store.leaseHolder("room-r"), undefined);
    assert.equal(await store.claim("room-r", "p6", 5000), false, "it can no longer be claimed");
  });
}
