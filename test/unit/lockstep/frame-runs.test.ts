import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../../client-sdk/src/random.ts";
import { replayHeader } from "../../support/replay-header.ts";
import { FrameLog } from "../../../src/lockstep/frame-log.ts";
import { sliceRuns } from "../../../src/lockstep/frame-runs.ts";
import { decodeReplayBody, encodeReplayBody, replayBodyPieces, runsOfFrames, type ReplayHeader } from "../../../src/protocol/replay-format.ts";

const header = (lastFrame: number): ReplayHeader => replayHeader({ id: "r", room_id: "room", last_frame: lastFrame });

const concat = (pieces: Iterable<Uint8Array>): Uint8Array => Buffer.concat([...pieces]);

/** Seeded cases: the same ones on every run. */
const random = createRandom(20261206);
const randomFrames = (count: number, maxBytes: number): Uint8Array[] =>
  Array.from({ length: count }, () => Uint8Array.from({ length: random.int(1, maxBytes) }, () => random.int(0, 255)));

test("the body written from the frame log's runs is the body written from the frames one by one, whatever the sizes", () => {
  for (let round = 0; round < 40; round++) {
    const frames = randomFrames(random.int(0, 300), random.pick([40, 3000, 80_000]));
    const log = new FrameLog({ firstFrame: 0, maxBytes: 64 * 1024 * 1024, blockBytes: random.pick([1024, 64 * 1024]) });
    for (const frame of frames) log.append(frame);
    const runs = log.size === 0 ? [] : log.runs(0, log.lastFrame);
    const fromRuns = concat(replayBodyPieces(header(frames.length - 1), runs));
    assert.deepEqual(fromRuns, Buffer.from(encodeReplayBody(header(frames.length - 1), frames)), `round ${round}`);
    assert.deepEqual(
      decodeReplayBody(fromRuns).frames.map((frame) => Buffer.from(frame)),
      frames.map((frame) => Buffer.from(frame)),
    );
  }
});

test("sliceRuns takes any window of frames across run boundaries, without copying bytes", () => {
  for (let round = 0; round < 200; round++) {
    const frames = randomFrames(random.int(1, 60), 40);
    const perRun = random.int(1, 7);
    // Runs of `perRun` frames, as a log's blocks would hold them.
    const runs: { bytes: Uint8Array; ends: number[] }[] = [];
    for (let start = 0; start < frames.length; start += perRun) {
      const group = frames.slice(start, start + perRun);
      let end = 0;
      runs.push({ bytes: Buffer.concat(group), ends: group.map((frame) => (end += frame.byteLength)) });
    }
    const skip = random.int(0, frames.length - 1);
    const count = random.int(0, frames.length - skip);
    const sliced = sliceRuns(runs, skip, count);
    const body = decodeReplayBody(concat(replayBodyPieces(header(count - 1), sliced)));
    assert.deepEqual(
      body.frames.map((frame) => Buffer.from(frame)),
      frames.slice(skip, skip + count).map((frame) => Buffer.from(frame)),
      `round ${round}: skip ${skip}, count ${count}, ${perRun} per run`,
    );
    for (const run of sliced)
      assert.ok(
        runs.some((whole) => whole.bytes.buffer === run.bytes.buffer),
        "a view of the original bytes",
      );
  }
});

test("runsOfFrames and an empty match", () => {
  assert.deepEqual(decodeReplayBody(encodeReplayBody(header(-1), [])).frames, []);
  assert.deepEqual(runsOfFrames([Uint8Array.of(1, 2)]), [{ bytes: Uint8Array.of(1, 2), ends: [2] }]);
});
