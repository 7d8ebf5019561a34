// npm run bench:drift -- [--seconds 600] [--rate 30]
// Runs the frame scheduler on the real clock and timers for a bounded time and reports drift:
// how many frames closed against how many deadlines passed, and how late the last one was.
import { FrameScheduler } from "../src/lockstep/frame-scheduler.ts";
import { Histogram } from "../src/lockstep/histogram.ts";
import { parseCommandLine } from "./command-line.ts";

const { values } = parseCommandLine({
  usage: "npm run bench:drift -- [options]",
  about: `Runs the frame scheduler on the real clock and timers for a bounded time and reports its drift:
how many frames closed against how many deadlines passed, and how late frames closed (p50, p99, max).`,
  options: { seconds: { type: "string", default: "600" }, rate: { type: "string", default: "30" } },
  help: { seconds: "how long to run, in seconds (at most 3600)", rate: "frame rate, in Hz" },
});
const seconds = Math.min(3600, Number(values.seconds));
const frameRate = Number(values.rate);

const lateness = new Histogram();
let closed = 0;
const scheduler = new FrameScheduler({
  frameRate,
  startFrame: 0,
  onFrame: (_frame, lateMs) => {
    closed++;
    lateness.record(lateMs);
  },
});
const startedAt = performance.now();
scheduler.start(startedAt);
const progress = setInterval(() => process.stderr.write(`\r${((performance.now() - startedAt) / 1000).toFixed(0)} / ${seconds} s, ${closed} frames`), 1000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const elapsed = performance.now() - startedAt;
scheduler.closeDueFrames();
scheduler.stop();
clearInterval(progress);
const due = Math.floor(elapsed / (1000 / frameRate));
console.log(
  `\n${frameRate} Hz for ${(elapsed / 1000).toFixed(1)} s: ${closed} frames closed, ${due} deadlines passed (drift ${closed - due} frames); ` +
    `lateness p50 ${lateness.summary().p50} ms, p99 ${lateness.summary().p99} ms, max ${lateness.summary().max} ms`,
);
