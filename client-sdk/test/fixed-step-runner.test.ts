import assert from "node:assert/strict";
import { test } from "node:test";
import { FixedStepRunner } from "../src/fixed-step-runner.ts";
import type { LockstepFrame } from "../src/types.ts";

const frame = (n: number): LockstepFrame<never> => ({ frame: n, actions: [], events: [] });

function harness(options: ConstructorParameters<typeof FixedStepRunner>[2] = {}) {
  const stepped: number[] = [];
  const alphas: number[] = [];
  const runner = new FixedStepRunner<never>({ step: (f) => stepped.push(f.frame), render: (alpha) => alphas.push(alpha) }, 10, options);
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
