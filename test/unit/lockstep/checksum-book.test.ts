import assert from "node:assert/strict";
import { test } from "node:test";
import { ChecksumBook, type Divergence } from "../../../src/lockstep/checksum-book.ts";
import { checksumParts, type StateHash } from "../../../src/protocol/checksum-codec.ts";
import { LockstepErrorCode } from "../../../src/protocol/messages.ts";

const A = "aaaaaaaaaaaaaaaa";
const B = "bbbbbbbbbbbbbbbb";
const C = "cccccccccccccccc";

function book(waitFrames = 10) {
  const divergences: Divergence[] = [];
  const connected = new Set([0, 1, 2]);
  const checks = new ChecksumBook({ interval: 10, waitFrames, onDivergence: (divergence) => divergences.push(divergence) });
  let lastClosed = 0;
  return {
    checks,
    divergences,
    connected,
    close: (frame: number) => {
      lastClosed = frame;
      checks.advance(frame);
    },
    send: (slot: number, frame: number, hash: StateHash) => checks.record(slot, `u${slot}`, { frame, parts: checksumParts(hash) }, lastClosed, () => connected),
  };
}

test("agreement is not a desync and moves the last agreed frame", () => {
  const { checks, divergences, send, close } = book();
  close(12);
  for (const slot of [0, 1, 2]) assert.deepEqual(send(slot, 10, A), { accepted: true });
  assert.equal(checks.lastAgreedFrame, 10);
  assert.deepEqual(divergences, []);
});

test("a check is compared once every connected player sent its hash, and not before", () => {
  const { divergences, send, close } = book();
  close(10);
  send(0, 10, A);
  send(1, 10, A);
  assert.equal(divergences.length, 0);
  send(2, 10, B);
  assert.equal(divergences.length, 1);
  const [found] = divergences;
  assert.equal(found!.frame, 10);
  assert.equal(found!.reference, 0);
  assert.deepEqual(found!.outliers, ["u2"]);
  assert.deepEqual(found!.groups[0]!.slots, [0, 1]);
  assert.equal(found!.groups[0]!.hash, A);
  assert.deepEqual(found!.parts, []);
});

test("a tie has no reference: every group is named", () => {
  const { divergences, send, close, connected } = book();
  connected.delete(2);
  close(10);
  send(0, 10, A);
  send(1, 10, B);
  assert.equal(divergences[0]!.reference, null);
  assert.deepEqual(divergences[0]!.outliers, ["u0", "u1"]);
  // Three groups of one: no majority either.
  const three = book();
  three.close(10);
  three.send(0, 10, A);
  three.send(1, 10, B);
  three.send(2, 10, C);
  assert.equal(three.divergences[0]!.reference, null);
  assert.equal(three.divergences[0]!.groups.length, 3);
});

test("parts: only those whose hashes differ are named", () => {
  const { divergences, send, close } = book();
  close(10);
  send(0, 10, { players: A, coins: A, rng: A });
  send(1, 10, { players: A, coins: A, rng: A });
  send(2, 10, { players: A, coins: B, rng: A });
  assert.deepEqual(divergences[0]!.parts, ["coins"]);
  assert.deepEqual(divergences[0]!.groups[1]!.parts, { coins: B, players: A, rng: A });
});

test("a player who stays wrong is reported once; a new way of diverging is reported again; agreement ends it", () => {
  const { divergences, send, close } = book();
  for (const frame of [10, 20, 30]) {
    close(frame);
    send(0, frame, A);
    send(1, frame, A);
    send(2, frame, B);
  }
  assert.equal(divergences.length, 1);
  assert.equal(divergences[0]!.last_good_frame, null);
  close(40);
  send(0, 40, A);
  send(1, 40, C);
  send(2, 40, B);
  assert.equal(divergences.length, 2, "a second player diverging is news");
  close(50);
  for (const slot of [0, 1, 2]) send(slot, 50, A);
  close(60);
  send(0, 60, A);
  send(1, 60, A);
  send(2, 60, B);
  assert.equal(divergences.length, 3, "diverging again after agreeing is a new divergence");
  assert.equal(divergences[2]!.last_good_frame, 50);
});

test("an agreement without the outlier's hash does not end its divergence; its late hash is still compared", () => {
  const { divergences, send, close } = book(5);
  close(10);
  for (const slot of [0, 1, 2]) send(slot, 10, slot === 2 ? B : A);
  assert.equal(divergences.length, 1);
  close(20);
  send(0, 20, A);
  send(1, 20, A);
  close(25);
  assert.equal(divergences.length, 1, "the wait is over: the two agree, the outlier is not there yet");
  send(2, 20, B);
  assert.equal(divergences.length, 1, "late and still wrong: the same divergence, not reported twice");
});

test("a player who drops is not waited for", () => {
  const { checks, divergences, send, close } = book();
  close(10);
  send(0, 10, A);
  send(1, 10, A);
  assert.equal(checks.lastAgreedFrame, null);
  checks.playerGone(2);
  assert.equal(checks.lastAgreedFrame, 10);
  assert.deepEqual(divergences, []);
});

test("the wait is bounded: a check is decided with the hashes it has", () => {
  const { checks, send, close } = book(10);
  close(10);
  send(0, 10, A);
  send(1, 10, A);
  close(19);
  assert.equal(checks.lastAgreedFrame, null);
  close(20);
  assert.equal(checks.lastAgreedFrame, 10);
});

test("refusals: not a checked frame, not closed, too old, repeated; checks held stay bounded", () => {
  const { checks, send, close } = book(10);
  close(100);
  assert.equal((send(0, 15, A) as { code: string }).code, LockstepErrorCode.FRAME_OUT_OF_RANGE);
  assert.equal((send(0, 110, A) as { code: string }).code, LockstepErrorCode.FRAME_OUT_OF_RANGE);
  assert.equal((send(0, 70, A) as { code: string }).code, LockstepErrorCode.FRAME_OUT_OF_RANGE);
  assert.deepEqual(send(0, 80, A), { accepted: true });
  assert.equal((send(0, 80, A) as { code: string }).code, LockstepErrorCode.CHECKSUM_REPEATED);
  for (let frame = 110; frame <= 1000; frame += 10) {
    close(frame);
    send(0, frame, A);
  }
  assert.ok(checks.size <= (2 * 10) / 10 + 1, `${checks.size} checks held`);
});

test("a late hash that disagrees with an agreed check is compared part by part against the agreed parts", () => {
  const { divergences, send, close, connected } = book(5);
  connected.add(3);
  close(10);
  for (const slot of [0, 1, 2]) send(slot, 10, { players: A, coins: B, rng: C });
  close(15);
  assert.equal(divergences.length, 0, "three agree once the wait is over; the fourth is late");
  send(3, 10, { players: A, coins: C, rng: C });
  assert.equal(divergences.length, 1);
  const [divergence] = divergences;
  assert.deepEqual(divergence!.outliers, ["u3"]);
  assert.deepEqual(divergence!.parts, ["coins"]);
  assert.deepEqual(divergence!.groups[0]!.uids, ["u0", "u1", "u2"]);
  assert.deepEqual(divergence!.groups[0]!.parts, { coins: B, players: A, rng: C });
  assert.deepEqual(divergence!.groups[1]!.parts, { coins: C, players: A, rng: C });
});
