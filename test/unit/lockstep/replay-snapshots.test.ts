import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplayRecorder } from "../../../src/lockstep/replay-recorder.ts";
import { resolveLockstepOptions } from "../../../src/lockstep/options.ts";
import { DEFAULT_REPLAY_SNAPSHOT_BYTES, ReplaySnapshots } from "../../../src/lockstep/replay-snapshots.ts";
import type { LockstepPlayer } from "../../../src/lockstep/roster.ts";

/** A snapshot of `frame` whose state is about `size` characters of JSON. */
const snapshot = (frame: number, size = 10) => ({ frame, state: JSON.stringify({ frame, pad: "x".repeat(Math.max(0, size - 20)) }) });

test("a replay keeps every verified snapshot until its bound, then every other one, spread from the start to the latest frames", () => {
  const kept = new ReplaySnapshots(1024 * 1024, 8);
  for (let frame = 100; frame <= 800; frame += 100) kept.offer(snapshot(frame));
  assert.deepEqual(
    kept.kept.map((entry) => entry.frame),
    [100, 200, 300, 400, 500, 600, 700, 800],
  );
  kept.offer(snapshot(900));
  assert.deepEqual(
    kept.kept.map((entry) => entry.frame),
    [100, 300, 500, 700, 900],
    "the ninth thins the kept ones to every other, the first staying",
  );
  kept.offer(snapshot(1000));
  assert.equal(kept.kept.at(-1)!.frame, 900, "closer than the doubled spacing: not kept");
  kept.offer(snapshot(1100));
  assert.equal(kept.kept.at(-1)!.frame, 1100);

  // A long match: however many are offered, the bound holds and the kept ones cover it all.
  for (let frame = 1200; frame <= 100_000; frame += 100) kept.offer(snapshot(frame));
  const frames = kept.kept.map((entry) => entry.frame);
  assert.ok(frames.length <= 8 && frames.length >= 4, `${frames.length} kept`);
  assert.equal(frames[0], 100, "the earliest stays");
  assert.ok(frames.at(-1)! > 100_000 - 2 * (100_000 / 8), `the latest kept (${frames.at(-1)}) is near the end`);
  const gaps = frames.slice(1).map((frame, index) => frame - frames[index]!);
  assert.ok(Math.max(...gaps) <= 2 * Math.min(...gaps), `evenly spread: gaps ${gaps.join(", ")}`);
});

test("the byte bound thins the same way; a state over an eighth of it is not kept, so at least eight always fit", () => {
  const kept = new ReplaySnapshots(8000);
  kept.offer(snapshot(10, 1001));
  assert.equal(kept.kept.length, 0, "over an eighth of the budget");
  for (let frame = 10; frame <= 90; frame += 10) kept.offer(snapshot(frame, 990));
  assert.ok(kept.kept[0]!.state.length <= 1000);
  const frames = kept.kept.map((entry) => entry.frame);
  assert.deepEqual(frames, [10, 30, 50, 70, 90], "the ninth snapshot of about 1000 bytes passes 8000: every other goes");
  assert.ok(kept.kept.reduce((sum, entry) => sum + entry.state.length, 0) <= 8000);
  const none = new ReplaySnapshots(0);
  none.offer(snapshot(10, 20));
  assert.equal(none.kept.length, 0, "a budget of 0 keeps none");
});

test("the replay's header carries the kept snapshots, none after its last frame", () => {
  const recorder = new ReplayRecorder(() => new Date(0));
  recorder.start("replay-s", [{ uid: "ann", slot: 0, name: "ANN", role: "player" } as LockstepPlayer], 0);
  recorder.snapshot({ frame: 30, state: '{"x":1}' });
  recorder.snapshot({ frame: 60, state: '{"x":2}' });
  const facts = { roomId: "r", roomName: "arena", match: { players: [], seed: 1, frame_rate: 30, start_frame: 0 }, settings: {}, public: false };
  assert.deepEqual(recorder.header(facts, { reason: "ended", last_frame: 90 }).snapshots, [
    { frame: 30, state: '{"x":1}' },
    { frame: 60, state: '{"x":2}' },
  ]);
  assert.deepEqual(
    recorder.header(facts, { reason: "ended", last_frame: 45 }).snapshots?.map((entry) => entry.frame),
    [30],
  );
});

test("replaySnapshotBytes: 1 MiB by default, 0 (none) to 16 MiB, anything else refused", () => {
  assert.equal(resolveLockstepOptions(undefined).replaySnapshotBytes, DEFAULT_REPLAY_SNAPSHOT_BYTES);
  assert.equal(resolveLockstepOptions({ replaySnapshotBytes: 0 }).replaySnapshotBytes, 0);
  for (const bad of [-1, 16 * 1024 * 1024 + 1, 1.5]) assert.throws(() => resolveLockstepOptions({ replaySnapshotBytes: bad }), /replaySnapshotBytes/);
});
