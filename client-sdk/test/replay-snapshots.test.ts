import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplayErrorCode, readReplayDocument, type ReplayFormatError } from "../../src/protocol/index.ts";
import { ReplayPlayer } from "../src/replay-player.ts";
import type { MatchInfo } from "../src/types.ts";
import type { ReplayMismatch } from "../src/replay-checksums.ts";
import {
  ManualTicker,
  createSum,
  encodeFrames,
  expectedHashes,
  hashSum,
  header,
  inMemory,
  stepSum,
  stored,
  sumFrames,
  type AddAction,
  type SumState,
} from "./replay-fixture.ts";

const START = 5;
const FRAMES = sumFrames(40);
const uidOfSlot = (slot: number): string => ["ann", "ben"][slot]!;
const info: MatchInfo = { players: [], seed: 1234, frameRate: 20, startFrame: START, checksumInterval: 5 };
/** The whole-state hash after each frame, from straight play (index 0 is frame 5). */
const straight = expectedHashes(info, FRAMES, uidOfSlot);

/** The game's state after `frame`, stepped straight from the seed: what a verified snapshot of that frame holds. */
function stateAfter(frame: number): SumState {
  const state = createSum(info);
  const document = inMemory(header(START, FRAMES.length), encodeFrames(START, FRAMES));
  const replay = new ReplayPlayer<AddAction>(document, { ticker: new ManualTicker().ticker });
  replay.onStart(() => replay.run({ step: (next) => stepSum(state, next) }));
  replay.seek(frame);
  return state;
}

/** A replay of 40 frames (5..44) with checksums every 5 frames and snapshots after frames 15 and 30. */
function snapshotReplay(snapshotState: (frame: number) => string = (frame) => JSON.stringify(stateAfter(frame))) {
  const checksums = straight.map((hash, index) => ({ frame: START + index, hash })).filter(({ frame }) => frame % 5 === 0);
  const snapshots = [15, 30].map((frame) => ({ frame, state: snapshotState(frame) }));
  return header(START, FRAMES.length, { checksum_interval: 5, checksums, snapshots });
}

/** A game wired as a live match that can start late is: `run(loop, { hash, load })` from `onStart`. */
function play(head = snapshotReplay(), options: { load: boolean } = { load: true }) {
  const replay = new ReplayPlayer<AddAction>(inMemory(head, encodeFrames(START, FRAMES)), { ticker: new ManualTicker().ticker });
  const game = { state: undefined as SumState | undefined, starts: [] as (number | undefined)[], stepped: [] as number[], loaded: [] as unknown[] };
  replay.onStart((started) => {
    game.starts.push(started.snapshot?.frame);
    const state = createSum(started);
    game.state = state;
    replay.run(
      {
        step: (frame) => {
          stepSum(state, frame);
          game.stepped.push(frame.frame);
        },
      },
      {
        hash: () => hashSum(state),
        ...(options.load
          ? {
              load: (saved: unknown) => {
                game.loaded.push(saved);
                Object.assign(state, saved as SumState);
              },
            }
          : {}),
      },
    );
  });
  const hashNow = (): string => {
    const parts = hashSum(game.state!);
    return `byUid:${parts.byUid},total:${parts.total}`;
  };
  return { replay, game, hashNow };
}

test("seek starts from the nearest snapshot before the target, as a live match joined late does, and reaches straight play's state", () => {
  const { replay, game, hashNow } = play();
  replay.seek(38);
  assert.deepEqual(game.starts, [30], "onStart's info.snapshot is the snapshot of frame 30");
  assert.equal(replay.startedFrom, 30);
  assert.deepEqual(game.stepped, [31, 32, 33, 34, 35, 36, 37, 38], "only the frames after the snapshot are stepped");
  assert.equal(hashNow(), straight[38 - START]);
  assert.equal(replay.verifiedFrames, 2, "the loaded state is checked against frame 30's checksum, and frame 35 after it");

  game.stepped.length = 0;
  replay.seek(20);
  assert.deepEqual(game.starts, [30, 15], "back past a snapshot: from the one before the target");
  assert.deepEqual(game.stepped, [16, 17, 18, 19, 20]);
  assert.equal(hashNow(), straight[20 - START]);

  game.stepped.length = 0;
  replay.seek(10);
  assert.deepEqual(game.starts, [30, 15, undefined], "no snapshot before frame 10: from the seed");
  assert.equal(replay.startedFrom, START - 1);
  assert.deepEqual(game.stepped, [5, 6, 7, 8, 9, 10]);

  game.stepped.length = 0;
  replay.seek(14);
  assert.deepEqual(game.starts.length, 3, "forward with no snapshot in between: steps on");
  assert.deepEqual(game.stepped, [11, 12, 13, 14]);

  game.stepped.length = 0;
  replay.seek(44);
  assert.deepEqual(game.starts, [30, 15, undefined, 30], "forward past a snapshot: jumps to it");
  assert.deepEqual(game.stepped, [31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44]);
  assert.equal(hashNow(), straight[44 - START]);
  assert.equal(game.loaded.length, 3);
  assert.notEqual(game.loaded[0], game.loaded[2], "each start gets the state parsed anew: a game that kept and changed the last one cannot spoil it");
});

test("a game whose run() takes no load is started again from the seed, once, and seeks from the seed from then on", () => {
  const { replay, game, hashNow } = play(snapshotReplay(), { load: false });
  replay.seek(38);
  assert.deepEqual(game.starts, [30, undefined], "offered the snapshot, then from the seed");
  assert.equal(replay.startedFrom, START - 1);
  assert.equal(game.stepped[0], START);
  assert.equal(hashNow(), straight[38 - START]);
  replay.seek(33);
  assert.deepEqual(game.starts, [30, undefined, undefined], "not offered again");
});

test("a snapshot whose state does not hash to the checksum recorded for its frame is reported as a mismatch", () => {
  const { replay } = play(
    snapshotReplay((frame) => {
      const state = stateAfter(frame);
      state.total += 1;
      return JSON.stringify(state);
    }),
  );
  const mismatches: ReplayMismatch[] = [];
  replay.onMismatch((mismatch) => mismatches.push(mismatch));
  replay.seek(32);
  assert.deepEqual(
    mismatches.map((mismatch) => mismatch.frame),
    [30],
  );
  assert.equal(mismatches[0]!.expected, straight[30 - START]);
});

test("a snapshot that is not JSON is reported through onError, and the seek starts from the seed", () => {
  const { replay, game, hashNow } = play(snapshotReplay((frame) => (frame === 30 ? "{not json" : JSON.stringify(stateAfter(frame)))));
  const errors: string[] = [];
  replay.onError((error) => errors.push(error.message));
  replay.seek(38);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /snapshot of frame 30 is not JSON/);
  assert.deepEqual(game.starts, [undefined]);
  assert.equal(hashNow(), straight[38 - START], "the same state, from the seed");
});

test("pause() from a start listener during play() stands", () => {
  const { replay } = play();
  replay.onStart(() => replay.pause());
  replay.play();
  assert.equal(replay.playing, false);
});

test("snapshots go through the stored document; out of order or past the last frame, the document is refused", async () => {
  const head = snapshotReplay();
  const document = await readReplayDocument(await stored(head, encodeFrames(START, FRAMES)));
  assert.deepEqual(document.snapshots, head.snapshots);
  for (const snapshots of [
    [
      { frame: 30, state: "{}" },
      { frame: 15, state: "{}" },
    ],
    [{ frame: 45, state: "{}" }],
    [{ frame: 30, state: {} }],
  ]) {
    const bad = { ...head, snapshots } as unknown as typeof head;
    await assert.rejects(readReplayDocument(await stored(bad, encodeFrames(START, FRAMES))), (error: ReplayFormatError) => {
      assert.equal(error.code, ReplayErrorCode.INVALID);
      assert.match(error.message, /snapshot/);
      return true;
    });
  }
});
