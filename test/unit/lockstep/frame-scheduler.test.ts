import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameScheduler, type MonotonicClock, type Timers } from "../../../src/lockstep/frame-scheduler.ts";

/** Deterministic PRNG so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Simulated time: timers fire at their due time plus a lateness chosen by the test (negative
 * = early, as real timers sometimes are relative to a high-resolution clock).
 */
class FakeTime implements MonotonicClock, Timers {
  time = 0;
  lateness: () => number = () => 0;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.time + ms + this.lateness(), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Runs timers in due order until `until`, then sets the clock to `until`. */
  runUntil(until: number): void {
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, timer] of this.#timers) if (timer.at < nextAt) [nextId, nextAt] = [id, timer.at];
      if (nextAt > until) break;
      const timer = this.#timers.get(nextId)!;
      this.#timers.delete(nextId);
      this.time = Math.max(this.time, timer.at);
      timer.callback();
    }
    this.time = until;
  }

  /** Moves the clock without firing anything: a stalled event loop. */
  stall(ms: number): void {
    this.time += ms;
  }
}

function recordingScheduler(time: FakeTime, frameRate: number, startFrame = 0) {
  const closed: { frame: number; at: number; lateMs: number }[] = [];
  const scheduler = new FrameScheduler({
    frameRate,
    startFrame,
    clock: time,
    timers: time,
    onFrame: (frame, lateMs) => closed.push({ frame, at: time.now(), lateMs }),
  });
  return { scheduler, closed };
}

test("no drift over 100,000 ticks with jittery timers", () => {
  const time = new FakeTime();
  const random = mulberry32(42);
  // Timers fire up to 0.9 ms early or 4 ms late, at random.
  time.lateness = () => random() * 4.9 - 0.9;
  const { scheduler, closed } = recordingScheduler(time, 60);
  const period = 1000 / 60;
  scheduler.start(0);
  const end = 100_000 * period + period / 2;
  time.runUntil(end);

  assert.equal(closed.length, 100_000, "exactly one frame per elapsed period");
  for (let i = 0; i < closed.length; i++) {
    const entry = closed[i]!;
    assert.equal(entry.frame, i, "frames are consecutive");
    assert.ok(entry.at >= scheduler.deadlineOf(entry.frame), `frame ${i} closed before its deadline`);
    assert.ok(entry.lateMs >= 0 && entry.lateMs < 6, `frame ${i} was ${entry.lateMs} ms late`);
  }
  // The last frame closed within a few ms of its absolute deadline: nothing accumulated.
  const last = closed.at(-1)!;
  assert.ok(last.at - 100_000 * period < 6, `last frame ${last.at - 100_000 * period} ms after its ideal time`);
});

test("a stalled event loop closes every missed frame at once, in order", () => {
  const time = new FakeTime();
  const { scheduler, closed } = recordingScheduler(time, 30, 100);
  scheduler.start(0);
  time.runUntil(200);
  const before = closed.length;
  assert.equal(before, 6, "frames 100..105 closed by t=200 ms");
  time.stall(1000);
  time.runUntil(time.now());
  const caughtUp = closed.slice(before);
  assert.equal(caughtUp.length, 30, "the 30 frames due during the stall");
  assert.deepEqual(
    caughtUp.map((entry) => entry.frame),
    Array.from({ length: 30 }, (_, i) => 106 + i),
  );
  assert.ok(
    caughtUp.every((entry) => entry.at === 1200),
    "all closed at the same wake-up",
  );
  time.runUntil(2001);
  const numbers = closed.map((entry) => entry.frame);
  assert.deepEqual(
    numbers,
    Array.from({ length: numbers.length }, (_, i) => 100 + i),
    "no skip, no repeat",
  );
  assert.equal(numbers.length, 60, "back on schedule: 2 s at 30 Hz");
});

test("stop ends ticking and start cannot run twice", () => {
  const time = new FakeTime();
  const { scheduler, closed } = recordingScheduler(time, 10);
  scheduler.start(0);
  assert.throws(() => scheduler.start(0), /already started/);
  time.runUntil(350);
  scheduler.stop();
  time.runUntil(10_000);
  assert.deepEqual(
    closed.map((entry) => entry.frame),
    [0, 1, 2],
  );
  assert.equal(scheduler.lastClosedFrame, 2);
  assert.equal(scheduler.running, false);
});

test("deadlines are absolute: frame k of a match started at t0 closes at t0 + (k + 1) / rate", () => {
  const time = new FakeTime();
  const { scheduler } = recordingScheduler(time, 20, 10);
  scheduler.start(1000);
  assert.equal(scheduler.deadlineOf(10), 1050);
  assert.equal(scheduler.deadlineOf(29), 2000);
});
