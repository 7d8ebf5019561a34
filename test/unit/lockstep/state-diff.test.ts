import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_DIFF_ENTRIES, diffStates } from "../../../src/lockstep/state-diff.ts";

test("names the paths whose values differ, with each state's value", () => {
  const a = {
    players: [
      { x: 1, y: 2 },
      { x: 5, y: 5 },
    ],
    coins: 3,
    rng: [1, 2],
    "odd key": true,
  };
  const b = {
    players: [
      { x: 1, y: 2 },
      { x: 6, y: 5 },
    ],
    coins: 4,
    rng: [1, 2],
    "odd key": false,
  };
  const { entries, truncated } = diffStates([a, b]);
  assert.equal(truncated, false);
  assert.deepEqual(entries, [
    { path: "players[1].x", values: [5, 6] },
    { path: "coins", values: [3, 4] },
    { path: '["odd key"]', values: [true, false] },
  ]);
});

test("missing keys, longer arrays, changed types and roots", () => {
  assert.deepEqual(diffStates([{ a: 1 }, { a: 1, b: 2 }]).entries, [{ path: "b", values: [undefined, 2] }]);
  assert.deepEqual(diffStates([[1], [1, 2]]).entries, [{ path: "[1]", values: [undefined, 2] }]);
  assert.deepEqual(diffStates([{ a: [1] }, { a: { 0: 1 } }]).entries, [{ path: "a", values: [[1], { 0: 1 }] }]);
  assert.deepEqual(diffStates([1, 2]).entries, [{ path: "(root)", values: [1, 2] }]);
});

test("equal states, or a single one, have no differences", () => {
  assert.deepEqual(diffStates([{ a: [1, { b: null }] }, { a: [1, { b: null }] }]).entries, []);
  assert.deepEqual(diffStates([{ a: 1 }]).entries, []);
});

test("three states: a path differs when any of them does", () => {
  assert.deepEqual(
    diffStates([
      { a: 1, b: 1 },
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]).entries,
    [{ path: "b", values: [1, 1, 2] }],
  );
});

test("bounded: at most MAX_DIFF_ENTRIES paths, then truncated", () => {
  const a = Array.from({ length: 500 }, (_, i) => i);
  const b = a.map((value) => value + 1);
  const { entries, truncated } = diffStates([a, b]);
  assert.equal(entries.length, MAX_DIFF_ENTRIES);
  assert.equal(truncated, true);
});

test("very deep states are compared whole below the depth bound", () => {
  let a: unknown = 1;
  let b: unknown = 2;
  for (let i = 0; i < 100; i++) {
    a = [a];
    b = [b];
  }
  const { entries } = diffStates([a, b]);
  assert.equal(entries.length, 1);
  assert.match(entries[0]!.path, /^(\[0\]){32}$/);
});
