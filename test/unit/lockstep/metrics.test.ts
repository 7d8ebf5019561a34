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

test("gauges count the live rooms by phase and their players; values carry no float noise", () => {
  const metrics = new LockstepMetrics();
  const running = { read: () => ({ phase: "running" as const, playersConnected: 3, playersDropped: 1, spectators: 2 }) };
  const waiting = { read: () => ({ phase: "waiting" as const, playersConnected: 1, playersDropped: 0, spectators: 0 }) };
  metrics.addRoom(running);
  metrics.addRoom(waiting);
  // The median falls in the bucket whose bound is 14 × 0.05 ms: 0.7000000000000001 in floating point.
  metrics.tickLateness.record(0.68);
  metrics.tickLateness.record(5);
  let text = metrics.toPrometheus();
  assert.match(text, /^lockstep_rooms\{phase="running"\} 1$/m);
  assert.match(text, /^lockstep_rooms\{phase="waiting"\} 1$/m);
  assert.match(text, /^lockstep_matches_running 1$/m);
  assert.match(text, /^lockstep_players_connected 4$/m);
  assert.match(text, /^lockstep_players_dropped 1$/m);
  assert.match(text, /^lockstep_spectators 2$/m);
  assert.match(text, /^lockstep_tick_lateness_ms\{quantile="0.5"\} 0.7$/m);
  assert.doesNotMatch(text, /\d\.\d*0000000\d/, "no float noise");
  metrics.removeRoom(running);
  text = metrics.toPrometheus();
  assert.match(text, /^lockstep_matches_running 0$/m);
  assert.match(text, /^lockstep_players_connected 1$/m);
});
