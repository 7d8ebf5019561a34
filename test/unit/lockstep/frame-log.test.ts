import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameLog } from "../../../src/lockstep/frame-log.ts";
import { frameToBytes } from "../../support/frames.ts";

const frameBytes = (frame: number, payloadBytes = 0): Uint8Array =>
  frameToBytes({ frame, entries: payloadBytes > 0 ? [{ type: "action", slot: 0, payload: new Uint8Array(payloadBytes).fill(frame % 256) }] : [] });

test("stores frames and gives back exactly the bytes appended", () => {
  const log = new FrameLog({ firstFrame: 10, maxBytes: 1 << 20, blockBytes: 64 });
  const appended: Uint8Array[] = [];
  for (let frame = 10; frame < 60; frame++) {
    const bytes = frameBytes(frame, frame % 7);
    appended.push(bytes);
    const stored = log.append(bytes);
    assert.deepEqual(stored, bytes);
  }
  assert.equal(log.firstFrame, 10);
  assert.equal(log.lastFrame, 59);
  assert.equal(log.size, 50);
  for (let frame = 10; frame < 60; frame++) assert.deepEqual(log.get(frame), appended[frame - 10]);
  assert.equal(log.get(9), undefined);
  assert.equal(log.get(60), undefined);
  assert.equal(
    log.storedBytes,
    appended.reduce((sum, bytes) => sum + bytes.byteLength, 0),
  );
});

test("runs cover a range contiguously across storage blocks", () => {
  const log = new FrameLog({ firstFrame: 0, maxBytes: 1 << 20, blockBytes: 32 });
  const appended: Uint8Array[] = [];
  for (let frame = 0; frame < 40; frame++) appended.push(frameBytes(frame, 5));
  for (const bytes of appended) log.append(bytes);
  const runs = log.runs(3, 37);
  assert.ok(runs.length > 1, "the range spans several blocks");
  const frames: Uint8Array[] = [];
  let expectedFirst = 3;
  for (const run of runs) {
    assert.equal(run.firstFrame, expectedFirst);
    let start = 0;
    for (const end of run.ends) {
      frames.push(run.bytes.subarray(start, end));
      start = end;
    }
    assert.equal(start, run.bytes.byteLength, "ends cover the run's bytes exactly");
    expectedFirst += run.ends.length;
  }
  assert.deepEqual(frames, appended.slice(3, 38));
  assert.throws(() => log.runs(0, 40), RangeError);
});

test("evicts the oldest block at its memory bound and says what it kept", () => {
  const log = new FrameLog({ firstFrame: 0, maxBytes: 4096, blockBytes: 1024 });
  for (let frame = 0; frame < 2000; frame++) log.append(frameBytes(frame, 10));
  assert.ok(log.retainedBytes <= 4096, `retained ${log.retainedBytes} bytes`);
  assert.ok(log.firstFrame > 0, "old frames were evicted");
  assert.equal(log.lastFrame, 1999);
  assert.equal(log.get(log.firstFrame - 1), undefined);
  assert.deepEqual(log.get(log.firstFrame), frameBytes(log.firstFrame, 10));
  assert.deepEqual(log.get(1999), frameBytes(1999, 10));
});

test("canAppend tells when a frame would need memory beyond the bound", () => {
  const log = new FrameLog({ firstFrame: 0, maxBytes: 1024 + 1024, blockBytes: 1024 });
  let frame = 0;
  while (log.canAppend(20)) log.append(frameBytes(frame++, 17));
  assert.ok(frame > 0);
  assert.ok(log.retainedBytes <= 2048);
  assert.equal(log.firstFrame, 0, "nothing evicted while canAppend was honoured");
});

test("an hour of 4-player 30 Hz input with 12-byte actions stays under 8 MB", () => {
  const log = new FrameLog({ firstFrame: 0, maxBytes: 64 << 20 });
  const entries = [0, 1, 2, 3].map((slot) => ({ type: "action" as const, slot, payload: new Uint8Array(12).fill(slot) }));
  const frames = 30 * 3600;
  for (let frame = 0; frame < frames; frame++) log.append(frameToBytes({ frame, entries }));
  assert.equal(log.size, frames);
  assert.ok(log.retainedBytes <= 8 * 1024 * 1024, `retained ${log.retainedBytes} bytes`);
});
