import assert from "node:assert/strict";
import { test } from "node:test";
import { ArrivalRecorder, STALL_MS } from "../../../bench/arrival.ts";
import { MAX_P99_ARRIVAL_MS, shortfalls } from "../../../bench/report.ts";
import type { RunResult, WindowResult } from "../../../bench/run-workload.ts";
import { Histogram } from "../../../src/lockstep/histogram.ts";

test("arrival lateness is each frame's excess over the bot's best arrival, whatever the clock offset", () => {
  const recorder = new ArrivalRecorder(30);
  const period = 1000 / 30;
  const clockOffset = 123_456.7; // the bot's clock shares no origin with the server's
  const extra = [0.5, 0, 3, 25, 1];
  recorder.startWindow();
  for (const [frame, late] of extra.entries()) recorder.arrived(frame, clockOffset + frame * period + late);
  recorder.stopWindow();
  recorder.arrived(5, clockOffset + 5 * period + 40); // between windows: sets nothing measured
  const histogram = new Histogram();
  const stalls = recorder.lateness(0, histogram);
  assert.equal(stalls, extra.filter((late) => late > STALL_MS).length);
  const summary = histogram.summary();
  assert.equal(summary.count, extra.length);
  assert.ok(Math.abs(summary.max - 25) < 0.1, `max lateness ${summary.max}`);
});

test("a run holds only when the median window's p99 arrival is within the bound and every frame arrived once", () => {
  const window = (p99: number, lost = 0): WindowResult =>
    ({
      bots: { arrival: { count: 1, p50: 1, p99, max: p99 }, lost, duplicated: 0, framesPerSecond: 3000 },
    }) as unknown as WindowResult;
  const run = (...windows: WindowResult[]): RunResult => ({ expectedFramesPerSecond: 3000, windows }) as unknown as RunResult;
  assert.deepEqual(shortfalls(run(window(2), window(30), window(4))), [], "one bad window of three does not decide");
  assert.equal(shortfalls(run(window(2), window(MAX_P99_ARRIVAL_MS + 1), window(9))).length, 1);
  assert.match(shortfalls(run(window(1), window(1, 2), window(1)))[0]!, /2 frames lost/);
});
