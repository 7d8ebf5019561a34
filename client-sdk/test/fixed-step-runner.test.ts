import assert from "node:assert/strict";
import { test } from "node:test";
import { FixedStepRunner } from "../src/fixed-step-runner.ts";
import type { LockstepFrame } from "../src/types.ts";

const frame = (n: number): LockstepFrame<never> => ({ frame: n, actions: [], events: [] });

/** A runner at 10 Hz whose steps each take `stepMs` of its clock (0 by default: as fast as a trivial game). */
function harness(options: ConstructorParameters<typeof FixedStepRunner>[2] = {}, stepMs = 0) {
  const stepped: number[] = [];
  const alphas: number[] = [];
  let clock = 0;
  const step = (f: LockstepFrame<never>): void => {
    stepped.push(f.frame);
    clock += stepMs;
  };
  const runner = new FixedStepRunner<never>({ step, render: (alpha) => alphas.push(alpha) }, 10, options, () => clock);
  return { runner, stepped, alphas };
}

test("steps one frame per period while frames are there", () => {
  const { runner, stepped, alphas } = harness();
  for (let n = 0; n < 5; n++) runner.push(frame(n));
  runner.tick(0);
  assert.deepEqual(stepped, [0, 1, 2], "a backlog past the catch-up threshold steps at once");
  runner.tick(100);
  assert.deepEqual(stepped, [0, 1, 2, 3]);
  runner.tick(150);
  assert.deepEqual(stepped, [0, 1, 2, 3]);
  assert.equal(alphas.at(-1), 0.5, "halfway to the next step");
  runner.tick(200);
  assert.deepEqual(stepped, [0, 1, 2, 3, 4]);
});

test("an input delay holds frames back; a starved runner does not burst later", () => {
  const { runner, stepped } = harness({ inputDelay: 2, catchUpAfter: 100 });
  runner.tick(0);
  runner.push(frame(0));
  runner.push(frame(1));
  runner.tick(500);
  assert.deepEqual(stepped, [], "two frames are the delay buffer");
  runner.push(frame(2));
  runner.tick(510);
  assert.deepEqual(stepped, [0], "500 ms of starvation bought one step, not five");
  runner.push(frame(3));
  runner.tick(610);
  assert.deepEqual(stepped, [0, 1]);
  assert.equal(runner.queued, 2);
  assert.equal(runner.lastStepped, 1);
});

test("catching up is bounded per tick", () => {
  const { runner, stepped } = harness({ maxStepsPerTick: 4 });
  for (let n = 0; n < 20; n++) runner.push(frame(n));
  runner.tick(0);
  assert.equal(stepped.length, 4);
  runner.tick(1);
  assert.equal(stepped.length, 8);
  assert.deepEqual(stepped, [0, 1, 2, 3, 4, 5, 6, 7]);
});

test("a long backlog is stepped as fast as the game allows, within the catch-up budget of each tick", () => {
  const fast = harness();
  for (let n = 0; n < 108_000; n++) fast.runner.push(frame(n));
  fast.runner.tick(0);
  assert.equal(fast.stepped.length, 108_000 - 2, "steps that take no time: the whole backlog but the catch-up threshold in one tick");

  const slow = harness({ catchUpBudgetMs: 8 }, 2);
  for (let n = 0; n < 20; n++) slow.runner.push(frame(n));
  slow.runner.tick(0);
  assert.equal(slow.stepped.length, 4, "2 ms steps: four start within 8 ms");
  const heavy = harness({ catchUpBudgetMs: 8 }, 50);
  for (let n = 0; n < 20; n++) heavy.runner.push(frame(n));
  heavy.runner.tick(0);
  heavy.runner.tick(1);
  assert.equal(heavy.stepped.length, 2, "a step longer than the budget: still one per tick, never none");
});

test("a tab back from the background works off its backlog over several ticks, not in one frozen one", () => {
  const { runner, stepped } = harness({ inputDelay: 0, catchUpAfter: 1_000_000, catchUpBudgetMs: 8 }, 1);
  runner.tick(0);
  for (let n = 0; n < 600; n++) runner.push(frame(n));
  runner.tick(60_000);
  assert.equal(stepped.length, 8, "a minute of due frames, but only what fits in the budget");
  runner.tick(60_016);
  assert.equal(stepped.length, 16);
});
