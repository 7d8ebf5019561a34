import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_REPLAY_STEPS_PER_TICK, MAX_TICK_GAP_MS, ReplayClock } from "../src/replay-clock.ts";

test("frames fall due at frame rate × speed, the fraction carried to the next tick", () => {
  const clock = new ReplayClock(30);
  assert.equal(clock.tick(0), 0, "the first tick only sets the time");
  assert.equal(clock.tick(20), 0);
  assert.equal(clock.alpha, 0.6);
  assert.equal(clock.tick(40), 1);
  clock.speed = 2;
  assert.equal(clock.tick(90), 3);
  clock.reset();
  assert.equal(clock.tick(5_000), 0, "time before a reset is not owed");
  assert.equal(clock.alpha, 0);
});

test("16× at 60 Hz keeps its speed on a 20 fps page; more is capped per tick and not owed later", () => {
  const page = new ReplayClock(60);
  page.speed = 16;
  page.tick(0);
  assert.equal(page.tick(MAX_TICK_GAP_MS), 48);

  const fast = new ReplayClock(1000);
  fast.speed = 16;
  fast.tick(0);
  assert.equal(fast.tick(MAX_TICK_GAP_MS), MAX_REPLAY_STEPS_PER_TICK);
  assert.equal(fast.tick(MAX_TICK_GAP_MS + 1), 16, "the next tick steps only its own millisecond");
});
