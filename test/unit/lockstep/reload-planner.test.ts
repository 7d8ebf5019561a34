import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameLog } from "../../../src/lockstep/frame-log.ts";
import { buildReloadChunks, checkReloadRange, type FrameRange } from "../../../src/lockstep/reload-planner.ts";
import { frameToBytes } from "../../support/frames.ts";
import { LockstepErrorCode } from "../../../src/protocol/messages.ts";
import { decodeReloadChunk } from "../../../src/protocol/reload-codec.ts";

function filledLog(frames: number, payload: (frame: number) => number, blockBytes = 256): { log: FrameLog; bytes: Uint8Array[] } {
  const log = new FrameLog({ firstFrame: 0, maxBytes: 1 << 20, blockBytes });
  const bytes: Uint8Array[] = [];
  for (let frame = 0; frame < frames; frame++) {
    const size = payload(frame);
    const encoded = frameToBytes({ frame, entries: size > 0 ? [{ type: "action", slot: 0, payload: new Uint8Array(size) }] : [] });
    bytes.push(encoded);
    log.append(encoded);
  }
  return { log, bytes };
}

const asRange = (value: ReturnType<typeof checkReloadRange>): FrameRange => {
  assert.ok(!("code" in value), `unexpected error ${JSON.stringify(value)}`);
  return value as FrameRange;
};

test("chunks respect the frame limit and reproduce the log in order", () => {
  const { log, bytes } = filledLog(100, (frame) => frame % 5);
  const chunks = buildReloadChunks(log, asRange(checkReloadRange(log, 0, undefined)), 9, { maxFrames: 30, maxBytes: 1 << 20 });
  const decoded = chunks.map(decodeReloadChunk);
  assert.deepEqual(
    decoded.map((chunk) => chunk.frames.length),
    [30, 30, 30, 10],
  );
  assert.deepEqual(
    decoded.map((chunk) => chunk.final),
    [false, false, false, true],
  );
  assert.ok(decoded.every((chunk) => chunk.requestId === 9));
  assert.deepEqual(
    decoded.flatMap((chunk) => chunk.frameBytes),
    bytes,
  );
});

test("chunks respect the byte limit; a frame larger than the limit goes alone", () => {
  const { log, bytes } = filledLog(20, (frame) => (frame === 10 ? 300 : 40), 128);
  const chunks = buildReloadChunks(log, asRange(checkReloadRange(log, 2, 17)), 1, { maxFrames: 1000, maxBytes: 100 });
  const decoded = chunks.map(decodeReloadChunk);
  for (const chunk of decoded) {
    const size = chunk.frameBytes.reduce((sum, frame) => sum + frame.byteLength, 0);
    assert.ok(size <= 100 || chunk.frames.length === 1, `chunk of ${size} bytes with ${chunk.frames.length} frames`);
  }
  assert.ok(decoded.some((chunk) => chunk.frames.length === 1 && chunk.frames[0]!.frame === 10));
  assert.deepEqual(
    decoded.flatMap((chunk) => chunk.frameBytes),
    bytes.slice(2, 18),
  );
});

test("asking for the frame after the last gives one empty final chunk", () => {
  const { log } = filledLog(5, () => 0);
  const range = asRange(checkReloadRange(log, 5, undefined));
  const [chunk, ...rest] = buildReloadChunks(log, range, 3, { maxFrames: 10, maxBytes: 1000 });
  assert.equal(rest.length, 0);
  assert.deepEqual(decodeReloadChunk(chunk!), { requestId: 3, final: true, frames: [], frameBytes: [] });
});

test("out-of-range, evicted and inverted requests are named errors", () => {
  const { log } = filledLog(10, () => 0);
  const future = checkReloadRange(log, 11, undefined);
  assert.ok("code" in future && future.code === LockstepErrorCode.FRAME_OUT_OF_RANGE);
  const pastEnd = checkReloadRange(log, 0, 10);
  assert.ok("code" in pastEnd && pastEnd.code === LockstepErrorCode.FRAME_OUT_OF_RANGE);
  const inverted = checkReloadRange(log, 5, 4);
  assert.ok("code" in inverted && inverted.code === LockstepErrorCode.INVALID_REQUEST);

  const small = new FrameLog({ firstFrame: 0, maxBytes: 2048, blockBytes: 512 });
  for (let frame = 0; frame < 2000; frame++) small.append(frameToBytes({ frame, entries: [] }));
  const evicted = checkReloadRange(small, 0, undefined);
  assert.ok("code" in evicted && evicted.code === LockstepErrorCode.FRAME_EVICTED);
  assert.equal(evicted.details?.first_frame, small.firstFrame);
});
