// npm run bench:checksums -- [--steps 200,300,400] [--interval 30] [--seconds 10] [--windows 3] [--rounds 1]
// What desync detection costs: LockstepRoom on the bench's workload with checksums off and on
// (every bot sending its state's hash after every `interval`-th frame), both at every step, one
// after the other (the order alternates from run to run, so a slow minute does not always hit
// the same one), W windows each, R rounds of the pair per step (a step's figures are then over
// all R × W windows of each). Prints each one's players held (a step holds by the same rule as
// `npm run bench`), arrival p99, timer lateness and server CPU, and the server CPU one checksum
// costs: the CPU difference over the checksums accepted per second. Loopback only.
import { availableParallelism, cpus } from "node:os";
import { parseCommandLine, usageError } from "./command-line.ts";
import {
  MAX_P99_ARRIVAL_MS,
  checksumCostMicros,
  checksumCosts,
  checksumProblems,
  checksumTotals,
  corePercentPer1000Players,
  describe,
  formatSpread,
  mergeRuns,
  playersHeld,
  shortfalls,
  spread,
  spreadOf,
  type Spread,
} from "./report.ts";
import { runWorkload, type RunResult } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

const command = {
  usage: "npm run bench:checksums -- [options]",
  about: `What desync detection costs: LockstepRoom on the bench's workload with checksums off and on (every
bot sending its state's hash after every N-th frame), both at every step, in alternating order, on loopback.
Reports each one's players held (by the rule of npm run bench), arrival p99, timer lateness and server CPU,
and the server CPU one checksum costs.`,
  options: {
    steps: { type: "string", default: "200,300,400" },
    interval: { type: "string", default: "30" },
    seconds: { type: "string", default: "10" },
    windows: { type: "string", default: "3" },
    rounds: { type: "string", default: "1" },
  },
  help: {
    steps: "players at each step, comma-separated",
    interval: "with checksums on, every bot sends one after every N-th frame",
    seconds: "length of a measured window, in seconds",
    windows: "measured windows per run",
    rounds: "rounds of the off/on pair per step (figures over all of them)",
  },
} as const;
const { values } = parseCommandLine(command);

const ROOM_SIZE = 4;
const FRAME_RATE = 30;
/** The acceptance rule: with checksums on, the room holds at least this share of the players it holds with them off. */
const MIN_HELD_SHARE = 0.95;
const interval = Number(values.interval);
if (!Number.isInteger(interval) || interval < 1) usageError(command, `--interval must be a whole number ≥ 1, got ${values.interval}`);
const steps = values.steps.split(",").map(Number);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) usageError(command, `--rounds must be a whole number ≥ 1, got ${values.rounds}`);

const workloadFor = (players: number, checksumInterval: number): Workload => ({
  target: "lockstep",
  rooms: Math.round(players / ROOM_SIZE),
  roomSize: ROOM_SIZE,
  frameRate: FRAME_RATE,
  inputBytes: 12,
  seconds: Number(values.seconds),
  windows: Number(values.windows),
  warmupSeconds: 5,
  checksumInterval,
});

type Variant = "off" | "on";
const label = (variant: Variant): string => (variant === "off" ? "off" : interval === 1 ? "every frame" : `every ${interval} frames`);

async function measure(players: number, variant: Variant): Promise<RunResult | undefined> {
  process.stderr.write(`\nLockstepRoom with ${players} players, checksums ${label(variant)}\n`);
  try {
    const result = await runWorkload(workloadFor(players, variant === "on" ? interval : 0), (line) => process.stderr.write(line));
    process.stderr.write(`\n${describe(result)}\n`);
    return result;
  } catch (error) {
    process.stderr.write(`\nfailed at ${players} players: ${(error as Error).message.split("\n")[0]}\n`);
    return undefined;
  }
}

interface Step {
  readonly players: number;
  /** Each variant's rounds as one run (all their windows), undefined if none ran. */
  readonly off: RunResult | undefined;
  readonly on: RunResult | undefined;
  /** Rounds that failed to run (the bots could not connect or the server died). */
  readonly failed: Readonly<Record<Variant, number>>;
}

/** A variant holds a step when every round ran, its windows hold by the bench's rule and, with checksums on, it checked every checksum it should have. */
const holds = (step: Step, variant: Variant): boolean => {
  const run = step[variant];
  return run !== undefined && step.failed[variant] === 0 && shortfalls(run).length === 0 && checksumProblems(run).length === 0;
};

const results: Step[] = [];
let runIndex = 0;
for (const players of steps) {
  const runs: Record<Variant, RunResult[]> = { off: [], on: [] };
  const failed: Record<Variant, number> = { off: 0, on: 0 };
  for (let round = 0; round < rounds; round++) {
    const order: Variant[] = runIndex++ % 2 === 0 ? ["off", "on"] : ["on", "off"];
    for (const variant of order) {
      const run = await measure(players, variant);
      if (run === undefined) failed[variant]++;
      else runs[variant].push(run);
    }
  }
  results.push({ players, off: mergeRuns(runs.off), on: mergeRuns(runs.on), failed });
}

const ms = (value: Spread): string => formatSpread(value, " ms", 2);
/** How busy each core was beyond the server's and the bots' own CPU, median of the windows: other processes (and interrupts) sharing them, which makes a run noisier. */
const otherWork = (run: RunResult): string => {
  const server = spread(run, (w) => (w.serverCoreBusyPercent ?? Number.NaN) - w.serverCpuPercent).median;
  const bots = spread(run, (w) => (w.botCoreBusyPercent ?? Number.NaN) - w.botCpuPercent).median;
  return `${Number.isNaN(server) ? "–" : server.toFixed(0)} % / ${Number.isNaN(bots) ? "–" : bots.toFixed(0)} %`;
};
const micros = (value: Spread | undefined): string => (value === undefined ? "–" : formatSpread(value, " µs", 1));

const rows: string[] = [];
for (const step of results) {
  for (const variant of ["off", "on"] as const) {
    const run = step[variant];
    if (run === undefined) {
      rows.push(`| ${step.players} | ${label(variant)} | failed to run | – | – | – | – | – | – | – |`);
      continue;
    }
    const reasons = [...shortfalls(run), ...checksumProblems(run), ...(step.failed[variant] > 0 ? [`${step.failed[variant]} round(s) failed to run`] : [])];
    const totals = checksumTotals(run);
    const cost = variant === "on" && step.off !== undefined ? checksumCostMicros(step.off, run) : undefined;
    rows.push(
      [
        `| ${step.players}`,
        label(variant),
        reasons.length === 0 ? "yes" : `no: ${reasons.join("; ")}`,
        ms(spread(run, (w) => w.bots.arrival.p99)),
        ms(spread(run, (w) => w.server.lateness.p99)),
        formatSpread(
          spread(run, (w) => w.serverCpuPercent),
          " %",
          1,
        ),
        variant === "on" ? `${totals.perSecond.toFixed(0)} (${totals.accepted} of ${totals.sent} sent)` : "–",
        variant === "on" ? `${totals.desyncs}` : "–",
        variant === "on" ? micros(cost) : "–",
        `${otherWork(run)} |`,
      ].join(" | "),
    );
  }
}

const heldOff = playersHeld(results.map((step) => ({ players: step.players, holds: holds(step, "off") })));
const heldOn = playersHeld(results.map((step) => ({ players: step.players, holds: holds(step, "on") })));
// A noisy step can fail below one that holds: the highest step held at all shows it.
const highest = (variant: Variant): string => {
  const held = results.filter((step) => holds(step, variant)).map((step) => step.players);
  return held.length === 0 ? "none" : String(Math.max(...held));
};
const heldLine = (() => {
  const alsoHighest = ` Highest step held at all: off ${highest("off")}, on ${highest("on")}.`;
  if (heldOff === undefined) return `Players held: checksums off held none of the steps; on: ${heldOn ?? "none"}. No comparison.${alsoHighest}`;
  const share = (heldOn ?? 0) / heldOff;
  const verdict = share >= MIN_HELD_SHARE ? "within 5 %" : "NOT within 5 %";
  return `Players held: checksums off ${heldOff}, on ${heldOn ?? "none of the steps"} (${(share * 100).toFixed(0)} % of off): ${verdict}, to the resolution of the steps (${values.steps}).${alsoHighest}`;
})();

// Every window pairing of every step where both ran: the cost does not depend on the step, and the pooled figure is steadier.
const pooled = results.flatMap((step) => (step.off !== undefined && step.on !== undefined ? checksumCosts(step.off, step.on) : []));
const costLine = (() => {
  if (pooled.length === 0) return "CPU per checksum: not measured (no step ran both).";
  const cost = spreadOf(pooled);
  const core = (value: number): string => corePercentPer1000Players(value, FRAME_RATE, interval).toFixed(2);
  return (
    `CPU per checksum, every window pairing of every step (${pooled.length}): ${micros(cost)}, ` +
    `i.e. ${core(cost.median)} % of a core per 1,000 players (${core(cost.min)}–${core(cost.max)}) at ${FRAME_RATE / interval} checksum(s) per player per second.`
  );
})();

const perPlayerLine = (() => {
  const step = results.find((candidate) => candidate.players === heldOff);
  if (step?.off === undefined || pooled.length === 0) return "";
  const cpuPerPlayer = spread(step.off, (w) => w.serverCpuPercent).median / step.players;
  const checksumPerPlayer = corePercentPer1000Players(spreadOf(pooled).median, FRAME_RATE, interval) / 1000;
  return `\nA player costs the server ${(cpuPerPlayer * 1000).toFixed(1)} % of a core per 1,000 players with checksums off (at ${step.players} players); its checksums add ${((checksumPerPlayer / cpuPerPlayer) * 100).toFixed(1)} % to that.`;
})();

const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(`
Machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}; server pinned to core 0, bots to core 1.
Workload: LockstepRoom, ${ROOM_SIZE}-player rooms, ${FRAME_RATE} Hz, a 12-byte input from every player every frame; checksums off (checksumInterval 0) against on (every bot sends a 16-hex-digit hash after every frame that is a multiple of ${interval}, all equal). ${values.windows} windows of ${values.seconds} s per run after 5 s of warm-up; at each step both run, in alternating order${rounds > 1 ? `, ${rounds} rounds, figures over all ${rounds * Number(values.windows)} windows of each` : ""}.
A step holds when the median window's p99 frame-arrival lateness is ≤ ${MAX_P99_ARRIVAL_MS} ms, no frame is lost or duplicated, ≥ 99 % are delivered and (checksums on) the server accepted every checksum, refused no message but late inputs, and found no desync.
Figures are medians over the windows, lowest–highest window in brackets. CPU per checksum: (server CPU on − server CPU off) / checksums accepted per second, over every pairing of an on window with an off window of the step. Other work: how busy each core was beyond the server's (bots') own CPU, from /proc/stat; high values mean other processes shared the core.

| players | checksums | holds | arrival p99 | timer lateness p99 | server CPU (% of a core) | checksums accepted/s | desyncs | CPU per checksum | other work on server / bot core |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

${heldLine}
${costLine}${perPlayerLine}
`);
