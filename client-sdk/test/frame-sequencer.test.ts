import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameSequencer } from "../src/frame-sequencer.ts";

function harness() {
  const delivered: number[] = [];
  const requests: [number, number][] = [];
  const sequencer = new FrameSequencer({
    deliver: (frame, bytes) => {
      assert.equal(bytes[0], frame % 256, "bytes travel with their frame");
      delivered.push(frame);
    },
    requestGap: (from, to) => requests.push([from, to]),
  });
  const send = (frame: number) => sequencer.receive(frame, Uint8Array.of(frame % 256));
  return { sequencer, delivered, requests, send };
}

test("delivers in order, once, whatever the arrival order", () => {
  const { sequencer, delivered, send } = harness();
  sequencer.start(10);
  for (const frame of [10, 12, 11, 11, 10, 14, 13, 12, 15]) send(frame);
  assert.deepEqual(delivered, [10, 11, 12, 13, 14, 15]);
  assert.equal(sequencer.lastDelivered, 15);
  assert.equal(sequencer.buffered, 0);
});

test("a gap is requested once, and filled frames release the buffer", () => {
  const { sequencer, delivered, requests, send } = harness();
  sequencer.start(0);
  send(0);
  send(4);
  send(5);
  assert.deepEqual(requests, [[1, 3]], "one request for the hole, not one per frame after it");
  assert.deepEqual(delivered, [0]);
  assert.equal(sequencer.buffered, 2);
  for (const frame of [1, 2, 3]) send(frame);
  assert.deepEqual(delivered, [0, 1, 2, 3, 4, 5]);
});

test("after a reset, catching up asks again for everything not delivered", () => {
  const { sequencer, delivered, requests, send } = harness();
  sequencer.start(0);
  send(0);
  send(3);
  assert.deepEqual(requests, [[1, 2]]);
  sequencer.resetRequests();
  sequencer.catchUpTo(8);
  assert.deepEqual(requests, [
    [1, 2],
    [1, 8],
  ]);
  sequencer.catchUpTo(8);
  assert.equal(requests.length, 2, "the same range is not asked twice");
  for (let frame = 1; frame <= 8; frame++) send(frame);
  assert.deepEqual(delivered, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test("frames before the start is known wait, and the start is fixed once", () => {
  const { sequencer, delivered, send } = harness();
  send(0);
  send(1);
  assert.deepEqual(delivered, []);
  sequencer.start(0);
  sequencer.start(5);
  assert.deepEqual(delivered, [0, 1]);
  send(2);
  assert.deepEqual(delivered, [0, 1, 2]);
});
