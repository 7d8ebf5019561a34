import assert from "node:assert/strict";
import { test } from "node:test";
import { lockstepFrameNumber } from "../../../bench/frame-scan.ts";
import { spectatorProblems } from "../../../bench/report.ts";
import type { RunResult, WindowResult } from "../../../bench/run-workload.ts";
import { RoomProgress, SpectatorStats, type SpectatorWindow, parseSpectators, spectatorDelayFrames } from "../../../bench/spectators.ts";
import { ByteWriter } from "../../../src/protocol/byte-writer.ts";
import { encodeFrame } from "../../../src/protocol/frame-codec.ts";

test("--spectators takes a whole number within the room's bound, and more than 0 only for LockstepRoom", () => {
  assert.equal(parseSpectators("0", "relay"), 0);
  assert.equal(parseSpectators("100", "lockstep"), 100);
  assert.throws(() => parseSpectators("4", "schema"), /lockstep target only.*schema/);
  assert.throws(() => parseSpectators("4", "relay"), /lockstep target only/);
  for (const bad of ["", "1.5", "-1", "1001", "many"]) assert.throws(() => parseSpectators(bad, "lockstep"), /whole number from 0 to 1000/);
});

test("a spectator's frame is too new when its players' frame comes more than half a period after it, or never", () => {
  const delay = spectatorDelayFrames(30);
  assert.equal(delay, 90);
  const room = new RoomProgress(delay, 30);
  const spectator = new SpectatorStats(room);
  room.playerGot(100, performance.now());
  spectator.frame(10); // its players' frame 100 came first: fine
  spectator.frame(11); // frame 101 comes a moment later (the bots read sockets in any order): fine
  room.playerGot(101, performance.now());
  room.playerGot(100, performance.now()); // a slower player of the room
  assert.equal(room.tooNew, 0);
  spectator.frame(12);
  new SpectatorStats(room).frame(12);
  room.playerGot(102, performance.now() + 17); // more than half of 33.3 ms later: both came a tick early
  assert.equal(room.tooNew, 2);
  spectator.frame(13);
  room.playerGot(104, performance.now()); // frame 103 never came to a player
  assert.deepEqual({ received: spectator.framesReceived, tooNew: room.tooNew }, { received: 4, tooNew: 3 });
});

test("a spectator counts frames it missed or got twice, and a window restarts its counts but not its continuity", () => {
  const room = new RoomProgress(90, 30);
  room.playerGot(1000, 0);
  const stats = new SpectatorStats(room);
  for (const frame of [1, 2, 5, 5, 6]) stats.frame(frame);
  assert.deepEqual([stats.framesReceived, stats.lost, stats.duplicated, room.tooNew], [5, 2, 1, 0]);
  stats.startWindow();
  stats.frame(8);
  assert.deepEqual([stats.framesReceived, stats.lost, stats.duplicated], [1, 1, 0]);
});

test("a spectator bot reads a frame's number after the Colyseus envelope", () => {
  for (const frame of [0, 127, 128, 2_000_010]) {
    const bytes = Uint8Array.of(17, 1, ...encodeFrame(new ByteWriter(), { frame, entries: [] }).toBytes());
    assert.equal(lockstepFrameNumber(bytes, 2), frame);
  }
});

test("a run's spectators hold when all stayed connected and got every frame due, once, never before the delay", () => {
  const spectatorWindow = (fields: Partial<SpectatorWindow> = {}): WindowResult =>
    ({
      bots: {
        spectators: { joined: 100, connected: 100, framesReceived: 30_000, framesPerSecond: 3000, lost: 0, duplicated: 0, tooNew: 0, ...fields },
      },
    }) as unknown as WindowResult;
  const run = (spectators: number, ...windows: WindowResult[]): RunResult =>
    ({ workload: { target: "lockstep", rooms: 1, frameRate: 30, spectators }, windows }) as unknown as RunResult;
  assert.deepEqual(spectatorProblems(run(100, spectatorWindow(), spectatorWindow())), []);
  assert.deepEqual(spectatorProblems(run(0, { bots: {} } as unknown as WindowResult)), []);
  assert.match(spectatorProblems(run(100, spectatorWindow(), { bots: {} } as unknown as WindowResult)).join(), /did not report/);
  assert.match(spectatorProblems(run(100, spectatorWindow({ connected: 99 }))).join(), /99 of 100 spectators connected/);
  assert.match(spectatorProblems(run(100, spectatorWindow({ framesPerSecond: 2900 }))).join(), /96\.7 % of the spectators' frames/);
  assert.match(spectatorProblems(run(100, spectatorWindow({ lost: 2 }), spectatorWindow({ duplicated: 1 }))).join(), /2 frames lost, 1 duplicated/);
  assert.match(spectatorProblems(run(100, spectatorWindow({ tooNew: 3 }))).join(), /3 frames reached spectators before their 90-frame delay/);
});
