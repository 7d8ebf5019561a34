import assert from "node:assert/strict";
import { test } from "node:test";
import { Histogram as PromHistogram, Registry } from "prom-client";
import { BucketHistogram } from "../../../src/lockstep/bucket-histogram.ts";

const BUCKETS = [0.001, 0.005, 0.01, 0.1];

test("a bucket histogram exports exactly what prom-client's own histogram exports for the same observations", async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const fast = new BucketHistogram(ours, "lockstep_test_seconds", "A test histogram.", BUCKETS);
  const reference = new PromHistogram({ name: "lockstep_test_seconds", help: "A test histogram.", buckets: BUCKETS, registers: [theirs] });
  const fresh = await ours.metrics();
  assert.equal(fresh, await theirs.metrics(), "before any observation");
  // On a bound, between bounds, below the first, above the last, zero and a repeat.
  for (const value of [0.001, 0.0007, 0.003, 0.005, 0.05, 0.1, 0.25, 7, 0, 0.003]) {
    fast.observe(value);
    reference.observe(value);
  }
  assert.equal(fast.count, 10);
  assert.equal(await ours.metrics(), await theirs.metrics());
  // The JSON form too, but for prom-client's exemplar slots (null without exemplars).
  const samples = async (registry: Registry) =>
    (await registry.getMetricsAsJSON()).flatMap((metric) =>
      metric.values.map((sample) => ({ labels: sample.labels, value: sample.value, name: (sample as { metricName?: string }).metricName })),
    );
  assert.deepEqual(await samples(ours), await samples(theirs));
  // prom-client's reset drops the samples altogether; ours goes back to zeros, as when new.
  ours.resetMetrics();
  assert.equal(await ours.metrics(), fresh, "after a reset");
});

test("a bucket histogram ignores values that are not finite, and refuses bad buckets and a taken name", () => {
  const registry = new Registry();
  const histogram = new BucketHistogram(registry, "lockstep_test_bytes", "Bytes.", [10, 100]);
  histogram.observe(Number.NaN);
  histogram.observe(Number.POSITIVE_INFINITY);
  assert.equal(histogram.count, 0);
  assert.throws(() => new BucketHistogram(new Registry(), "x", "x", []), RangeError);
  assert.throws(() => new BucketHistogram(new Registry(), "x", "x", [1, 1]), RangeError);
  assert.throws(() => new BucketHistogram(new Registry(), "x", "x", [1, Number.NaN]), RangeError);
  assert.throws(() => new BucketHistogram(registry, "lockstep_test_bytes", "Again.", [1]), /already been registered/);
});
