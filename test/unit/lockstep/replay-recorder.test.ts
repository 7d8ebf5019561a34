import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_REPLAY_CHECKSUMS, ReplayRecorder } from "../../../src/lockstep/replay-recorder.ts";
import type { LockstepPlayer } from "../../../src/lockstep/roster.ts";

const player = (uid: string, slot: number): LockstepPlayer =>
  ({ uid, slot, name: uid.toUpperCase(), role: "player", sessionId: uid, ready: true, connected: true }) as LockstepPlayer;

/** A clock that moves one second per reading. */
function ticking(): () => Date {
  let seconds = 0;
  return () => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds++));
}

const facts = {
  roomId: "r1",
  roomName: "arena",
  match: { players: [], seed: 7, frame_rate: 30, start_frame: 0, checksum_interval: 30 },
  settings: { max_players: 4 },
  public: false,
};

test("the roster of a replay: who was seated at the start, who joined and left during the match, with frames and times", () => {
  const recorder = new ReplayRecorder(ticking());
  recorder.seated("ann");
  recorder.seated("gone");
  recorder.unseated("gone");
  recorder.seated("ben");
  recorder.start("replay-1", [player("ann", 0), player("ben", 1)], 0);
  recorder.left(player("ben", 1), 40, "kicked");
  recorder.joined(player("cy", 1), 55);
  const header = recorder.header(facts, { reason: "ended", result: { winner: "ann" }, last_frame: 90 });
  assert.equal(header.id, "replay-1");
  assert.deepEqual(
    header.participants.map(({ uid, slot, joined_frame, left_frame, left_reason }) => ({ uid, slot, joined_frame, left_frame, left_reason })),
    [
      { uid: "ann", slot: 0, joined_frame: 0, left_frame: null, left_reason: null },
      { uid: "ben", slot: 1, joined_frame: 0, left_frame: 40, left_reason: "kicked" },
      { uid: "cy", slot: 1, joined_frame: 55, left_frame: null, left_reason: null },
    ],
  );
  assert.equal(header.participants[0]!.joined_at, "2026-01-01T00:00:00.000Z", "the time Ann took her seat, before the start");
  assert.ok(header.started_at < header.ended_at);
  assert.deepEqual(header.result, { winner: "ann" });
  assert.equal(header.last_frame, 90);
});

test("agreed checksums are kept once per frame, in order, up to the bound", () => {
  const recorder = new ReplayRecorder(ticking());
  recorder.start("replay-2", [player("ann", 0)], 0);
  recorder.agreed(30, "a");
  recorder.agreed(30, "a");
  recorder.agreed(60, "b");
  recorder.agreed(30, "late");
  assert.deepEqual(recorder.header(facts, { reason: "ended", last_frame: 60 }).checksums, [
    { frame: 30, hash: "a" },
    { frame: 60, hash: "b" },
  ]);
  for (let frame = 90; frame < 90 + MAX_REPLAY_CHECKSUMS * 30; frame += 30) recorder.agreed(frame, "x");
  assert.equal(recorder.header(facts, { reason: "ended", last_frame: 0 }).checksums.length, MAX_REPLAY_CHECKSUMS);
});

test("the history survives a hand-over: a resumed room continues it under the same replay id", () => {
  const first = new ReplayRecorder(ticking());
  first.start("replay-3", [player("ann", 0), player("ben", 1)], 0);
  first.left(player("ben", 1), 12, "left");
  const resumed = new ReplayRecorder(ticking());
  resumed.restore(structuredClone(first.history()!));
  resumed.joined(player("cy", 1), 80);
  const header = resumed.header(facts, { reason: "abandoned", last_frame: 100 });
  assert.equal(header.id, "replay-3");
  assert.deepEqual(
    header.participants.map((entry) => [entry.uid, entry.left_frame]),
    [
      ["ann", null],
      ["ben", 12],
      ["cy", null],
    ],
  );
});

test("a result JSON cannot hold is replaced by a note; no result is null", () => {
  const recorder = new ReplayRecorder(ticking());
  recorder.start("replay-4", [], 0);
  assert.equal(recorder.header(facts, { reason: "ended", last_frame: 0 }).result, null);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.match(
    String((recorder.header(facts, { reason: "ended", result: cyclic, last_frame: 0 }).result as { unserializable: string }).unserializable),
    /circular/i,
  );
  assert.deepEqual(recorder.header(facts, { reason: "ended", result: { big: 1n }, last_frame: 0 }).result, {
    unserializable: "Do not know how to serialize a BigInt",
  });
});

test("game settings JSON cannot hold are replaced by a note, so the replay can still be written", () => {
  const recorder = new ReplayRecorder(ticking());
  recorder.start("replay-5", [], 0);
  const cyclic: Record<string, unknown> = { map: "forest" };
  cyclic.self = cyclic;
  const header = recorder.header({ ...facts, settings: cyclic }, { reason: "ended", last_frame: 0 });
  assert.match(String((header.settings as { unserializable?: string }).unserializable), /circular/i);
  assert.doesNotThrow(() => JSON.stringify(header));
  assert.deepEqual(recorder.header(facts, { reason: "ended", last_frame: 0 }).settings, { max_players: 4 });
});
