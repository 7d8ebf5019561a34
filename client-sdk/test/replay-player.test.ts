import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameEventKind, ReplayErrorCode, ReplayFormatError, decodeAction, decodeFrame } from "../../src/protocol/index.ts";
import { ReplayPlayer } from "../src/replay-player.ts";
import type { LockstepFrame, MatchEnd, MatchInfo } from "../src/types.ts";
import {
  ManualTicker,
  createSum,
  encodeFrames,
  expectedHashes,
  hashSum,
  header,
  inMemory,
  participant,
  player,
  stepSum,
  sumFrames,
  type AddAction,
  type Entry,
  type SumState,
} from "./replay-fixture.ts";

/** 20 frames per second: one 50 ms tick is one frame at speed 1. */
const TICK_MS = 50;
const uidOfSlot = (slot: number): string => ["ann", "ben"][slot]!;

/** A player over `frames` (from frame 5), a manual clock, and a game wired the way a live match is. */
function setup(frames: Entry[][] = sumFrames(12), overrides: Parameters<typeof header>[2] = {}) {
  const encoded = encodeFrames(5, frames);
  const document = inMemory(header(5, frames.length, overrides), encoded);
  const clock = new ManualTicker();
  const replay = new ReplayPlayer<AddAction>(document, { ticker: clock.ticker });
  const game = { state: undefined as SumState | undefined, starts: 0, stepped: [] as number[], renders: [] as number[] };
  replay.onStart((info) => {
    game.starts++;
    game.state = createSum(info);
    replay.run(
      {
        step: (frame) => {
          stepSum(game.state!, frame);
          game.stepped.push(frame.frame);
        },
        render: (alpha) => game.renders.push(alpha),
      },
      { hash: () => hashSum(game.state!) },
    );
  });
  return { replay, clock, game, encoded, frames };
}

test("playback steps every frame in order at the frame rate: onStart, onFrame and onEnd as in a live match", () => {
  const { replay, clock, game, encoded, frames } = setup();
  const seen: LockstepFrame<AddAction>[] = [];
  const ends: MatchEnd[] = [];
  const starts: MatchInfo[] = [];
  replay.onFrame((frame) => seen.push(frame));
  replay.onEnd((end) => ends.push(end));
  replay.onStart((info) => starts.push(info));
  assert.equal(replay.frame, 4, "before any frame: start_frame - 1");
  assert.equal(game.starts, 0, "nothing starts before play()");
  assert.equal(clock.running, false);

  replay.play();
  assert.deepEqual(starts, [{ players: [player(0, "ann"), player(1, "ben")], seed: 1234, frameRate: 20, startFrame: 5, checksumInterval: 0 }]);
  assert.equal(replay.playing, true);
  let late = 0;
  replay.onStart(() => late++);
  clock.advance(0);
  assert.deepEqual(game.stepped, [], "the first frame is a period away");
  clock.advance(TICK_MS);
  clock.advance(TICK_MS / 2);
  assert.deepEqual(game.stepped, [5]);
  assert.deepEqual(game.renders.slice(-2), [0, 0.5], "render on every tick, alpha toward the next step");
  for (let i = 0; i < 30; i++) clock.advance(TICK_MS);

  assert.deepEqual(game.stepped, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.equal(late, 0, "a listener added after the start does not get a past start");
  assert.deepEqual(ends, [{ reason: "ended", result: { winner: "ann" }, lastFrame: 16, replayId: replay.document.id }]);
  assert.equal(replay.playing, false, "paused at the end");
  assert.equal(clock.running, false, "no timer left running");
  assert.equal(replay.frame, 16);
  assert.deepEqual(replay.end, ends[0]);

  // What the listeners got is exactly the document's frames, in order, with the senders' uids.
  assert.deepEqual(
    seen.map((frame) => frame.frame),
    game.stepped,
  );
  seen.forEach((frame, index) => {
    const entries = decodeFrame(replay.document.frames[index]!).entries;
    assert.deepEqual(replay.document.frames[index], encoded[index], "the document holds the bytes as encoded");
    assert.deepEqual(
      frame.actions.map(({ slot, uid, action }) => ({ slot, uid, add: action.add })),
      entries.map((entry) => ({
        slot: entry.slot,
        uid: uidOfSlot(entry.slot),
        add: entry.type === "action" ? decodeAction<AddAction>(entry.payload).add : -1,
      })),
    );
    assert.deepEqual(
      frame.actions.map(({ slot, action }) => ({ slot, add: action.add })),
      frames[index],
      `frame ${frame.frame} as written`,
    );
  });
});

test("speed: 0.25 to 16, a RangeError otherwise; frames step at frame rate × speed", () => {
  const { replay, clock, game } = setup(sumFrames(40));
  assert.equal(replay.speed, 1);
  for (const bad of [0.2, 16.5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, "8"]) {
    assert.throws(
      () => {
        replay.speed = bad as number;
      },
      RangeError,
      `speed ${bad}`,
    );
  }
  assert.equal(replay.speed, 1, "a refused speed changes nothing");
  replay.speed = 0.25;
  replay.play();
  clock.advance(0);
  for (let i = 0; i < 4; i++) clock.advance(TICK_MS);
  assert.deepEqual(game.stepped, [5], "four periods at a quarter speed: one frame");
  replay.speed = 16;
  clock.advance(TICK_MS);
  assert.equal(game.stepped.length, 17, "one period at 16×: sixteen more");
  assert.equal(replay.speed, 16);
});

test("a long gap between ticks (a hidden tab) does not turn into a burst of steps", () => {
  const { replay, clock, game } = setup(sumFrames(40));
  replay.play();
  clock.advance(0);
  clock.advance(60_000);
  assert.deepEqual(game.stepped, [5], "a minute away counts as one tick's worth");
});

test("pause stops the clock; play resumes where it was", () => {
  const { replay, clock, game } = setup();
  replay.play();
  clock.advance(0);
  clock.advance(TICK_MS);
  clock.advance(TICK_MS);
  replay.pause();
  assert.equal(replay.playing, false);
  assert.equal(clock.running, false);
  clock.advance(TICK_MS);
  replay.play();
  assert.equal(game.starts, 1, "resuming is not a restart");
  clock.advance(0);
  clock.advance(TICK_MS);
  assert.deepEqual(game.stepped, [5, 6, 7]);
});

test("seek backwards re-runs onStart and re-simulates to the same state as straight play", () => {
  const { replay, game } = setup();
  const straight = expectedHashes(replay.info, sumFrames(12), uidOfSlot);
  const seen: number[] = [];
  replay.onFrame((frame) => seen.push(frame.frame));
  replay.seek(14);
  assert.equal(game.starts, 1, "the first seek starts the replay");
  assert.equal(replay.frame, 14);
  const firstState = game.state;
  game.stepped.length = 0;
  game.renders.length = 0;
  seen.length = 0;

  replay.seek(9);
  assert.equal(game.starts, 2, "onStart again: the game rebuilds its state");
  assert.notEqual(game.state, firstState);
  assert.deepEqual(game.stepped, [5, 6, 7, 8, 9], "stepped from the start, by the new loop only");
  assert.deepEqual(seen, [5, 6, 7, 8, 9], "onFrame sees the frames a seek steps");
  assert.deepEqual(game.renders, [0], "rendered once, at the end");
  assert.equal(replay.frame, 9);
  assert.equal(replay.verifiedFrames, 0);
  assert.equal(replay.playing, false, "a paused replay stays paused");
  assert.equal(hashOf(game.state!), straight[9 - 5]);

  replay.seek(14);
  assert.equal(hashOf(game.state!), straight[14 - 5], "the same state as straight play");
});

test("seek forward steps synchronously; targets are clamped; a playing replay keeps playing", () => {
  const { replay, clock, game } = setup();
  replay.play();
  replay.seek(8);
  assert.deepEqual(game.stepped, [5, 6, 7, 8]);
  assert.equal(replay.playing, true);
  clock.advance(0);
  clock.advance(TICK_MS);
  assert.deepEqual(game.stepped, [5, 6, 7, 8, 9], "playing on from the seek target, without a burst");
  replay.seek(-100);
  assert.equal(replay.frame, 4, "clamped to start_frame - 1");
  assert.equal(game.starts, 2);
  assert.throws(() => replay.seek(7.5), RangeError);
  let ended = 0;
  replay.onEnd(() => ended++);
  replay.seek(1_000);
  assert.equal(replay.frame, 16, "clamped to the last frame");
  assert.equal(ended, 1, "reaching the last frame ends the pass");
  assert.equal(replay.playing, false);
});

test("play() after the end starts a new pass from the beginning", () => {
  const { replay, clock, game } = setup(sumFrames(3));
  const ends: number[] = [];
  replay.onEnd((end) => ends.push(end.lastFrame));
  replay.play();
  clock.advance(0);
  for (let i = 0; i < 3; i++) clock.advance(TICK_MS);
  assert.deepEqual(ends, [7]);
  const firstPass = game.state!;
  replay.play();
  assert.equal(game.starts, 2);
  assert.equal(replay.frame, 4);
  clock.advance(0);
  for (let i = 0; i < 3; i++) clock.advance(TICK_MS);
  assert.deepEqual(ends, [7, 7], "onEnd once per pass");
  assert.deepEqual(game.stepped, [5, 6, 7, 5, 6, 7]);
  assert.deepEqual(game.state, firstPass);
});

test("recorded checksums: matches are counted, a mismatch is reported with both hashes", () => {
  const frames = sumFrames(12);
  const hashes = expectedHashes({ players: [], seed: 1234, frameRate: 20, startFrame: 5, checksumInterval: 3 }, frames, uidOfSlot);
  const checksums = [6, 9, 12, 15].map((frame) => ({ frame, hash: hashes[frame - 5]! }));
  checksums[2] = { frame: 12, hash: "total:0,byUid:0" };
  const { replay, game } = setup(frames, { checksum_interval: 3, checksums });
  const mismatches: unknown[] = [];
  replay.onMismatch((mismatch) => mismatches.push(mismatch));
  replay.seek(16);
  assert.equal(replay.verifiedFrames, 3);
  assert.deepEqual(mismatches, [{ frame: 12, expected: "total:0,byUid:0", actual: hashes[12 - 5] }]);
  assert.equal(game.stepped.length, 12);

  replay.seek(10);
  assert.equal(replay.verifiedFrames, 2, "counted again from the start of the new pass");
});

test("without a hash nothing is verified; a loop whose hash drifts is caught", () => {
  const frames = sumFrames(8);
  const hashes = expectedHashes({ players: [], seed: 1234, frameRate: 20, startFrame: 5, checksumInterval: 2 }, frames, uidOfSlot);
  const checksums = [6, 8, 10, 12].map((frame) => ({ frame, hash: hashes[frame - 5]! }));
  const replay = new ReplayPlayer<AddAction>(inMemory(header(5, 8, { checksums }), encodeFrames(5, frames)), { ticker: new ManualTicker().ticker });
  let state: SumState | undefined;
  const mismatches: number[] = [];
  replay.onMismatch((mismatch) => mismatches.push(mismatch.frame));
  replay.onStart((info) => {
    state = createSum(info);
    replay.run({ step: (frame) => stepSum(state!, frame) });
  });
  replay.seek(12);
  assert.equal(replay.verifiedFrames, 0);
  replay.onStart(() => {
    // A "new build" that counts one action differently from frame 9 on.
    replay.run({ step: (frame) => stepSum(state!, frame.frame >= 9 ? { ...frame, actions: frame.actions.slice(1) } : frame) }, { hash: () => hashSum(state!) });
  });
  replay.seek(4);
  replay.seek(12);
  assert.equal(replay.verifiedFrames, 2, "frames 6 and 8 still match");
  assert.deepEqual(mismatches, [10, 12]);
});

test("a reused slot is resolved to whoever held it at that frame, also within a frame", () => {
  // ann (slot 0) leaves in frame 7; cy takes slot 0 in frame 9 and leaves in frame 11, where dee takes it.
  const frames: Entry[][] = [
    [{ slot: 0, add: 1 }],
    [{ slot: 1, add: 1 }],
    [
      { slot: 0, add: 2 },
      { slot: 0, event: FrameEventKind.LEFT },
    ],
    [{ slot: 1, add: 3 }],
    [
      { slot: 0, event: FrameEventKind.JOINED },
      { slot: 0, add: 4 },
    ],
    [{ slot: 0, event: FrameEventKind.DROPPED }],
    [
      { slot: 0, add: 5 },
      { slot: 1, add: 6 },
      { slot: 0, event: FrameEventKind.LEFT },
      { slot: 0, event: FrameEventKind.JOINED },
      { slot: 0, add: 7 },
    ],
    [{ slot: 0, add: 8 }],
  ];
  const participants = [participant(0, "ann", 5, 7), participant(1, "ben", 5), participant(0, "cy", 9, 11), participant(0, "dee", 11)];
  const { replay } = setup(frames, { participants });
  const senders: string[] = [];
  replay.onFrame((frame) => {
    for (const { uid, action } of frame.actions) senders.push(`${frame.frame}:${uid}+${action.add}`);
    for (const { uid, kind } of frame.events) senders.push(`${frame.frame}:${uid}#${kind}`);
  });
  replay.seek(12);
  assert.deepEqual(senders, [
    "5:ann+1",
    "6:ben+1",
    "7:ann+2",
    "7:ann#1",
    "8:ben+3",
    "9:cy+4",
    "9:cy#0",
    "10:cy#2",
    "11:cy+5",
    "11:ben+6",
    "11:dee+7",
    "11:cy#1",
    "11:dee#0",
    "12:dee+8",
  ]);
});

test("run() before the start throws; a replaced loop is no longer stepped; its handle tells what it stepped", () => {
  const { replay } = setup();
  assert.throws(() => replay.run({ step: () => undefined }), /onStart/);
  const first: number[] = [];
  const second: number[] = [];
  replay.seek(5);
  const handle = replay.run({ step: (frame) => first.push(frame.frame) });
  replay.seek(7);
  const next = replay.run({ step: (frame) => second.push(frame.frame) });
  replay.seek(9);
  assert.deepEqual(first, [6, 7]);
  assert.deepEqual(second, [8, 9]);
  assert.equal(handle.lastStepped, 7);
  assert.equal(handle.queued, 0, "a replaced loop has nothing queued");
  assert.equal(next.queued, 16 - 9, "frames left to step");
  next.stop();
  replay.seek(10);
  assert.deepEqual(second, [8, 9], "a stopped loop is not stepped");

  const bare = new ReplayPlayer<AddAction>(replay.document, { ticker: new ManualTicker().ticker });
  const stepped: number[] = [];
  bare.seek(5);
  bare.run({ step: (frame) => stepped.push(frame.frame) });
  bare.seek(6);
  bare.seek(5);
  bare.seek(8);
  assert.deepEqual(stepped, [6], "a seek backwards detaches the loop; only a new run() attaches one");
});

test("a frame that does not decode pauses playback and is reported; misnumbered frames are refused up front", () => {
  const frames = encodeFrames(5, sumFrames(4));
  frames[2] = Uint8Array.of(7, 5); // frame 7 claiming five entries in no bytes
  const clock = new ManualTicker();
  const replay = new ReplayPlayer<AddAction>(inMemory(header(5, 4), frames), { ticker: clock.ticker });
  const errors: { code: string; frame: unknown }[] = [];
  replay.onError((error) => errors.push({ code: error.code, frame: error.details?.frame }));
  replay.play();
  clock.advance(0);
  for (let i = 0; i < 4; i++) clock.advance(TICK_MS);
  assert.equal(replay.frame, 6);
  assert.equal(replay.playing, false);
  assert.deepEqual(errors, [{ code: "PROTOCOL_ERROR", frame: 7 }]);

  const swapped = encodeFrames(5, sumFrames(4));
  [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
  assert.throws(
    () => new ReplayPlayer(inMemory(header(5, 4), swapped)),
    (error: unknown) => error instanceof ReplayFormatError && error.code === ReplayErrorCode.INVALID && /frame 6 is numbered 7/.test(error.message),
  );
});

test("listeners may drive the player: what a start listener does stands, an onFrame listener may pause", () => {
  const { replay, clock, game } = setup();
  const ends: number[] = [];
  replay.onEnd((end) => ends.push(end.lastFrame));
  const offStart = replay.onStart(() => replay.seek(16));
  replay.play();
  assert.equal(replay.frame, 16);
  assert.deepEqual(ends, [16], "onEnd once, not again when play() goes on");
  assert.equal(replay.playing, false);
  offStart();

  replay.onStart(() => replay.play());
  replay.play();
  assert.equal(clock.starts, 1, "one clock, though play() ran twice");
  replay.onFrame((frame) => frame.frame === 6 && replay.pause());
  clock.advance(0);
  for (let i = 0; i < 5; i++) clock.advance(TICK_MS);
  assert.equal(replay.frame, 6);
  assert.equal(game.stepped.at(-1), 6);
  assert.equal(replay.playing, false);
});

test("a replay without frames starts and ends on play()", () => {
  const { replay, game } = setup([]);
  const ends: MatchEnd[] = [];
  replay.onEnd((end) => ends.push(end));
  replay.play();
  assert.equal(game.starts, 1);
  assert.equal(ends.length, 1);
  assert.equal(ends[0]!.lastFrame, 4);
  assert.equal(replay.playing, false);
});

test("close() stops the clock for good", () => {
  const { replay, clock, game } = setup();
  replay.play();
  clock.advance(0);
  clock.advance(TICK_MS);
  replay.close();
  assert.equal(clock.running, false);
  clock.advance(TICK_MS);
  assert.deepEqual(game.stepped, [5]);
  assert.throws(() => replay.play(), /closed/);
  assert.throws(() => replay.seek(3), /closed/);
});

const hashOf = (state: SumState): string =>
  Object.entries(hashSum(state))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, hash]) => `${name}:${hash}`)
    .join(",");
