import assert from "node:assert/strict";
import { test } from "node:test";
import { RecentLateness } from "../../../src/lockstep/recent-lateness.ts";

test("the p99 of the last minute's ticks is the bucket bound the 99th percentile falls in, never above the maximum", () => {
  const recent = new RecentLateness();
  assert.equal(recent.summary(0.99, 0), undefined, "no tick yet");
  for (let tick = 0; tick < 990; tick++) recent.record(0.1, 1_000 + tick);
  for (let tick = 0; tick < 10; tick++) recent.record(6, 2_000 + tick);
  assert.deepEqual(recent.summary(0.99, 3_000), { percentileMs: 0.25, maxMs: 6, ticks: 1000 });
  recent.record(4, 3_000);
  assert.deepEqual(
    recent.summary(0.99, 3_000),
    { percentileMs: 5, maxMs: 6, ticks: 1001 },
    "one more late tick moves the p99 into the bucket of the 4 ms one (3–5 ms)",
  );
});

test("ticks older than a minute no longer count", () => {
  const recent = new RecentLateness();
  recent.record(40, 5_000);
  recent.record(1, 65_000);
  assert.deepEqual(recent.summary(0.99, 65_000), { percentileMs: 1, maxMs: 1, ticks: 1 }, "the 40 ms tick was 60 s ago: its slot was reused");
  recent.record(2, 66_000);
  assert.equal(recent.summary(0.5, 125_000), undefined, "nothing in the last minute");
});
