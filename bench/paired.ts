// npm run bench:paired -- [--a lockstep] [--b relay] [--a-checksums 0] [--b-checksums 0] [--b-dir PATH]
//                         [--rooms 50] [--rounds 3] [--seconds 10] [--windows 3] [--warmup 5]
// What one server costs against another, measured so that this machine's drift cancels out: both
// run at the same time, both servers pinned to the same core and all their bots to the other, on
// the same workload, and each server's own CPU time (user and kernel, read by the server itself)
// is compared over nearly the same windows (each run's bots start measuring once all of them are
// connected, which takes longer for a Colyseus server: the report gives the share of the time
// both were measuring, about 90 %, and leaves out a round under 80 %). A slow minute slows both alike, so the
// ratio of their CPU times holds steady where their separate figures swing by 20 % from one run
// to the next. Rounds alternate which of the two starts first. A round is also left out (and the
// command exits 1) if a frame was lost, too few were delivered, a checksum was refused, the
// servers could not be pinned to one core, or that core was saturated. `--b-dir` runs B's server
// from another checkout of the project (its `src/` and `bench/servers/`): the same configuration
// before and after a change. Arrival is not reported: two servers sharing a core delay each
// other, so capacity is judged by `npm run bench`, not here.
import { resolve } from "node:path";
import { parseCommandLine, usageError } from "./command-line.ts";
import { MIN_DELIVERY_RATIO, checksumProblems, formatSpread, spreadOf } from "./report.ts";
import { runWorkload, type RunOptions, type RunResult } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

const command = {
  usage: "npm run bench:paired -- [options]",
  about: `Compares the CPU two servers spend on the same workload, both running at once (servers on one core,
bots on the other) so that the machine's drift hits both alike. Reports each round's server CPU of A and B,
the ratio B / A (all CPU and user space only), and the median and spread of the ratio over the rounds.`,
  options: {
    a: { type: "string", default: "lockstep" },
    b: { type: "string", default: "relay" },
    "a-checksums": { type: "string", default: "0" },
    "b-checksums": { type: "string", default: "0" },
    "b-dir": { type: "string" },
    rooms: { type: "string", default: "50" },
    players: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    windows: { type: "string", default: "3" },
    warmup: { type: "string", default: "5" },
  },
  help: {
    a: "server A: lockstep, schema or relay",
    b: "server B: lockstep, schema or relay",
    "a-checksums": "LockstepRoom A checks state checksums every N frames, every bot sending one (0: off)",
    "b-checksums": "the same for B",
    "b-dir": "run B's server from this checkout of the project (before/after a change)",
    rooms: "rooms of each server",
    players: "players (bots) per room",
    rounds: "rounds (each runs A and B together for the warm-up and all windows)",
    seconds: "length of a measured window, in seconds",
    windows: "measured windows per round",
    warmup: "warm-up before the first window, in seconds",
  },
} as const;
const { values } = parseCommandLine(command);

const TARGETS = ["lockstep", "schema", "relay"] as const;
function target(name: "a" | "b"): Workload["target"] {
  const value = values[name];
  if (!(TARGETS as readonly string[]).includes(value)) usageError(command, `--${name} must be lockstep, schema or relay, got ${value}`);
  return value as Workload["target"];
}
function wholeNumber(name: keyof typeof values, min: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) usageError(command, `--${name} must be a whole number ≥ ${min}, got ${values[name]}`);
  return value;
}

const base = {
  rooms: wholeNumber("rooms", 1),
  roomSize: wholeNumber("players", 1),
  frameRate: 30,
  inputBytes: 12,
  seconds: Math.min(600, wholeNumber("seconds", 1)),
  windows: Math.min(20, wholeNumber("windows", 1)),
  warmupSeconds: wholeNumber("warmup", 0),
};
/** A side's workload; only LockstepRoom checks checksums, so asking another target for them is a mistake, not a no-op. */
function workloadOf(side: "a" | "b"): Workload {
  const checksumInterval = wholeNumber(`${side}-checksums`, 0);
  const server = target(side);
  if (checksumInterval > 0 && server !== "lockstep") usageError(command, `--${side}-checksums needs --${side} lockstep (only LockstepRoom checks checksums)`);
  return { ...base, target: server, checksumInterval };
}
const workloadA = workloadOf("a");
const workloadB = workloadOf("b");
const optionsB: RunOptions = values["b-dir"] !== undefined ? { serverDir: resolve(values["b-dir"]) } : {};
const rounds = wholeNumber("rounds", 1);

function label(workload: Workload, dir?: string): string {
  const checksums = workload.checksumInterval ? `, checksums every ${workload.checksumInterval}` : "";
  return `${workload.target}${checksums}${dir !== undefined ? ` (from ${dir})` : ""}`;
}

/** Below this share of the measured time shared by both runs, a round's ratio is not one of the same seconds. */
const MIN_OVERLAP = 0.8;
/** The shared server core this busy (all processes) means the two servers queue for it: their ratio is then a scheduling share. */
const MAX_SERVER_CORE_BUSY_PERCENT = 95;

/** A run and when its measured windows began and ended (`performance.now()`). */
interface TimedRun {
  readonly result: RunResult;
  readonly measuredFrom: number;
  readonly measuredTo: number;
}

/** Runs `workload`, noting when its first window starts (its bots say so) and, from the server's windows, when the last ends. */
async function timedRun(workload: Workload, options: RunOptions): Promise<TimedRun> {
  let measuredFrom = Number.NaN;
  const result = await runWorkload(
    workload,
    (line) => {
      if (Number.isNaN(measuredFrom) && line.includes("measuring")) measuredFrom = performance.now();
    },
    options,
  );
  const measuredMs = result.windows.reduce((sum, window) => sum + window.server.wallMs, 0);
  return { result, measuredFrom, measuredTo: measuredFrom + measuredMs };
}

/** The share of the longer run's measured time that both runs were measuring. */
function overlapOf(a: TimedRun, b: TimedRun): number {
  const shared = Math.min(a.measuredTo, b.measuredTo) - Math.max(a.measuredFrom, b.measuredFrom);
  const longest = Math.max(a.measuredTo - a.measuredFrom, b.measuredTo - b.measuredFrom);
  return Number.isFinite(shared) && longest > 0 ? Math.max(0, shared) / longest : 0;
}

/** Runs both at once; if one fails, the other still ends (and stops its server and bots) before the error is thrown. */
async function both(first: () => Promise<TimedRun>, second: () => Promise<TimedRun>): Promise<[TimedRun, TimedRun]> {
  const [one, two] = await Promise.allSettled([first(), second()]);
  if (one.status === "rejected") throw one.reason;
  if (two.status === "rejected") throw two.reason;
  return [one.value, two.value];
}

/** Server CPU over all windows of a run, in % of a core: all of it, and user space only. */
function serverCpu(result: RunResult): { all: number; user: number } {
  let cpuMs = 0;
  let kernelMs = 0;
  let wallMs = 0;
  for (const window of result.windows) {
    cpuMs += window.server.cpuMs;
    kernelMs += window.server.kernelCpuMs;
    wallMs += window.server.wallMs;
  }
  return { all: (cpuMs / wallMs) * 100, user: ((cpuMs - kernelMs) / wallMs) * 100 };
}

/** Why a run's CPU figure cannot be compared: frames lost, too few delivered, checksums refused, no pinning, a saturated core. */
function problems(result: RunResult): string[] {
  const found: string[] = [];
  const lost = result.windows.reduce((sum, window) => sum + window.bots.lost + window.bots.duplicated, 0);
  if (lost > 0) found.push(`${lost} frames lost or duplicated`);
  const delivery = Math.min(...result.windows.map((window) => window.bots.framesPerSecond / result.expectedFramesPerSecond));
  if (delivery < MIN_DELIVERY_RATIO) found.push(`a window delivered ${(delivery * 100).toFixed(1)} % of the frames`);
  if (!result.pinned) found.push("the servers could not be pinned to one core (no taskset, or one core): they did not share it");
  const busiest = Math.max(...result.windows.map((window) => window.serverCoreBusyPercent ?? 0));
  if (busiest >= MAX_SERVER_CORE_BUSY_PERCENT) found.push(`the servers' core was ${busiest.toFixed(0)} % busy: use fewer rooms`);
  return [...found, ...checksumProblems(result)];
}

/** `1.234`, or `n/a` for a figure an older checkout's server does not report (its kernel time). */
const ratioText = (ratio: number): string => (Number.isFinite(ratio) ? ratio.toFixed(3) : "n/a");

const players = base.rooms * base.roomSize;
console.log(`A: ${label(workloadA)}\nB: ${label(workloadB, values["b-dir"])}`);
console.log(`${players} players each, ${base.roomSize} per room at 30 Hz, 12-byte inputs; ${rounds} rounds of ${base.windows} × ${base.seconds} s\n`);
console.log("round | A server CPU (user) | B server CPU (user) | B / A | B / A user | windows shared");
const ratios: number[] = [];
const userRatios: number[] = [];
let failed = false;
for (let round = 1; round <= rounds; round++) {
  // Which one starts first alternates, so neither always has the machine to itself at the start.
  const runA = () => timedRun(workloadA, {});
  const runB = () => timedRun(workloadB, optionsB);
  const [a, b] = round % 2 === 1 ? await both(runA, runB) : await both(runB, runA).then(([b, a]) => [a, b] as const);
  const overlap = overlapOf(a, b);
  const found = [
    ...problems(a.result).map((problem) => `A: ${problem}`),
    ...problems(b.result).map((problem) => `B: ${problem}`),
    ...(overlap < MIN_OVERLAP ? [`the two runs measured the same seconds for only ${(overlap * 100).toFixed(0)} % of the time`] : []),
  ];
  const cpuA = serverCpu(a.result);
  const cpuB = serverCpu(b.result);
  console.log(
    `${round} | ${cpuA.all.toFixed(1)} % (${cpuA.user.toFixed(1)} %) | ${cpuB.all.toFixed(1)} % (${cpuB.user.toFixed(1)} %) | ${ratioText(cpuB.all / cpuA.all)} | ${ratioText(cpuB.user / cpuA.user)} | ${(overlap * 100).toFixed(0)} %`,
  );
  if (found.length > 0) {
    // A round whose figures cannot be compared is reported, and left out of the ratios.
    failed = true;
    console.log(`round ${round} left out: ${found.join("; ")}`);
    continue;
  }
  ratios.push(cpuB.all / cpuA.all);
  if (Number.isFinite(cpuB.user / cpuA.user)) userRatios.push(cpuB.user / cpuA.user);
}
if (ratios.length > 0) console.log(`\nB / A, server CPU    ${formatSpread(spreadOf(ratios), "", 3)}  (median, lowest–highest round)`);
if (userRatios.length > 0) console.log(`B / A, user space    ${formatSpread(spreadOf(userRatios), "", 3)}`);
if (failed) process.exitCode = 1;
