import assert from "node:assert/strict";
import { test } from "node:test";
import { Histogram } from "../../../src/lockstep/histogram.ts";
import { LockstepMetrics } from "../../../src/lockstep/metrics.ts";

test("histogram percentiles are bucket upper bounds within 50 µs, and the maximum is exact", () => {
  const histogram = new Histogram();
  for (let i = 1; i <= 100; i++) histogram.record(i / 10);
  assert.equal(histogram.count, 100);
  assert.ok(Math.abs(histogram.percentile(0.5) - 5) <= 0.05 + 1e-9, `p50 ${histogram.percentile(0.5)}`);
  assert.ok(Math.abs(histogram.percentile(0.99) - 9.9) <= 0.05 + 1e-9, `p99 ${histogram.percentile(0.99)}`);
  assert.equal(histogram.max, 10);
  histogram.record(900);
  assert.equal(histogram.percentile(1), 900, "values past the last bucket report the true maximum");
  const other = new Histogram();
  other.record(-3);
  histogram.merge(other);
  assert.equal(histogram.count, 102);
  assert.ok(histogram.percentile(0.005) <= 0.05, "a negative duration counts as zero, in the first bucket");
  assert.throws(() => histogram.record(Number.NaN), RangeError);
  histogram.reset();
  assert.deepEqual(histogram.summary(), { count: 0, p50: 0, p99: 0, max: 0 });
});

test("metrics render as Prometheus text", () => {
  const metrics = new LockstepMetrics();
  metrics.framesClosed = 3;
  metrics.tickLateness.record(0.4);
  metrics.refused("RATE_LIMITED");
  metrics.refused("RATE_LIMITED");
  const text = metrics.toPrometheus();
  assert.match(text, /^lockstep_frames_closed_total 3$/m);
  assert.match(text, /^lockstep_actions_refused_total\{code="RATE_LIMITED"\} 2$/m);
  assert.match(text, /^lockstep_tick_lateness_ms_count 1$/m);
  assert.match(text, /# TYPE lockstep_tick_lateness_ms summary/);
});
