// npm run bench:paired -- [--a lockstep] [--b relay] [--a-checksums 0] [--b-checksums 0] [--b-dir PATH]
//                         [--rooms 50] [--rounds 3] [--seconds 10] [--windows 3] [--warmup 5]
// What one server costs against another, measured so that this machine's drift cancels out: both
// run at the same time, both servers pinned to the same core and all their bots to the other, on
// the same workload, and each server's own CPU time (user and kernel, read by the server itself)
// is compared over the same windows. A slow minute slows both alike, so the ratio of their CPU
// times holds steady where their separate figures swing by 20 % from one run to the next. Rounds
// alternate which of the two starts first. `--b-dir` runs B's server from another checkout of the
// project (its `src/` and `bench/servers/`): the same configuration before and after a change.
// Arrival figures are printed for completeness only: two servers sharing a core delay each other,
// so capacity is judged by `npm run bench`, not here. Exits 1 if a frame was lost or duplicated.
import { resolve } from "node:path";
import { parseCommandLine, usageError } from "./command-line.ts";
import { checksumProblems, formatSpread, spreadOf } from "./report.ts";
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
const workloadA: Workload = { ...base, target: target("a"), checksumInterval: wholeNumber("a-checksums", 0) };
const workloadB: Workload = { ...base, target: target("b"), checksumInterval: wholeNumber("b-checksums", 0) };
const optionsB: RunOptions = values["b-dir"] !== undefined ? { serverDir: resolve(values["b-dir"]) } : {};
const rounds = wholeNumber("rounds", 1);

function label(workload: Workload, dir?: string): string {
  const checksums = workload.checksumInterval ? `, checksums every ${workload.checksumInterval}` : "";
  return `${workload.target}${checksums}${dir !== undefined ? ` (from ${dir})` : ""}`;
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

function problems(result: RunResult): string[] {
  const lost = result.windows.reduce((sum, window) => sum + window.bots.lost + window.bots.duplicated, 0);
  return [...(lost > 0 ? [`${lost} frames lost or duplicated`] : []), ...checksumProblems(result)];
}

const players = base.rooms * base.roomSize;
console.log(`A: ${label(workloadA)}\nB: ${label(workloadB, values["b-dir"])}`);
console.log(`${players} players each, ${base.roomSize} per room at 30 Hz, 12-byte inputs; ${rounds} rounds of ${base.windows} × ${base.seconds} s\n`);
console.log("round | A server CPU (user) | B server CPU (user) | B / A | B / A user");
const ratios: number[] = [];
const userRatios: number[] = [];
let failed = false;
for (let round = 1; round <= rounds; round++) {
  // Which one starts first alternates: the first has a few hundred milliseconds of the machine to itself.
  const runA = () => runWorkload(workloadA);
  const runB = () => runWorkload(workloadB, undefined, optionsB);
  const [a, b] = round % 2 === 1 ? await Promise.all([runA(), runB()]) : await Promise.all([runB(), runA()]).then(([b, a]) => [a, b] as const);
  for (const [name, result] of [
    ["A", a],
    ["B", b],
  ] as const) {
    const found = problems(result);
    if (found.length > 0) {
      failed = true;
      console.log(`round ${round}, ${name}: ${found.join("; ")}`);
    }
  }
  const cpuA = serverCpu(a);
  const cpuB = serverCpu(b);
  ratios.push(cpuB.all / cpuA.all);
  userRatios.push(cpuB.user / cpuA.user);
  console.log(
    `${round} | ${cpuA.all.toFixed(1)} % (${cpuA.user.toFixed(1)} %) | ${cpuB.all.toFixed(1)} % (${cpuB.user.toFixed(1)} %) | ${ratios.at(-1)!.toFixed(3)} | ${userRatios.at(-1)!.toFixed(3)}`,
  );
}
console.log(`\nB / A, server CPU    ${formatSpread(spreadOf(ratios), "", 3)}  (median, lowest–highest round)`);
console.log(`B / A, user space    ${formatSpread(spreadOf(userRatios), "", 3)}`);
if (failed) process.exitCode = 1;
