// npm run bench: the same workload against a bare `ws` relay, LockstepRoom and a stock Colyseus
// schema room. Players ramp up in steps; at every step each target still standing runs in turn
// (so a change in this machine's speed hits them alike), three measured windows each. A step
// holds when the median p99 frame *arrival* lateness at the bots is at most 5 ms and every frame
// arrives once (see `shortfalls`). Then LockstepRoom runs at 80 % of the relay's capacity to
// report its stalls, then catch-up time and log memory. Loopback only. `--checksums N`: the
// LockstepRoom target checks state checksums every N frames, every bot sending one (0: off).
// `npm run bench:checksums` compares LockstepRoom with checksums off and on.
import { availableParallelism, cpus } from "node:os";
import { parseCommandLine } from "./command-line.ts";
import { catchUpServerTime, hourLogMemory } from "./log-benchmarks.ts";
import { ENVELOPE_BYTES, MAX_P99_ARRIVAL_MS, checksumProblems, describe, formatSpread, shortfalls, spread } from "./report.ts";
import { runWorkload, type RunResult } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

const { values } = parseCommandLine({
  usage: "npm run bench -- [options]",
  about: `The same workload (4-player rooms, 30 Hz, a 12-byte input per player per frame) against a bare ws
relay, LockstepRoom and a stock Colyseus schema room, with players ramping up in steps, on loopback.
A step holds when the median p99 frame arrival lateness is at most 5 ms and every frame arrives once.
Reports the players each target held, then LockstepRoom's stalls at 80 % of the relay's capacity,
its catch-up time and its log's memory.`,
  options: {
    steps: { type: "string", default: "400,600,800,1000,1200,1400,1600" },
    seconds: { type: "string", default: "10" },
    windows: { type: "string", default: "3" },
    targets: { type: "string", default: "relay,lockstep,schema" },
    checksums: { type: "string", default: "0" },
  },
  help: {
    steps: "players at each step, comma-separated",
    seconds: "length of a measured window, in seconds",
    windows: "measured windows per target and step",
    targets: "targets to run, comma-separated: relay, lockstep, schema",
    checksums: "LockstepRoom checks state checksums every N frames, every bot sending one (0: off)",
  },
});

const ROOM_SIZE = 4;
const workloadFor = (target: Workload["target"], players: number): Workload => ({
  target,
  rooms: Math.round(players / ROOM_SIZE),
  roomSize: ROOM_SIZE,
  frameRate: 30,
  inputBytes: 12,
  seconds: Number(values.seconds),
  windows: Number(values.windows),
  warmupSeconds: 5,
  checksumInterval: Number(values.checksums),
});

async function measure(target: Workload["target"], players: number): Promise<RunResult | undefined> {
  process.stderr.write(`\n${target} with ${players} players\n`);
  try {
    const result = await runWorkload(workloadFor(target, players), (line) => process.stderr.write(line));
    process.stderr.write(`\n${describe(result)}\n`);
    return result;
  } catch (error) {
    process.stderr.write(`\n${target} failed at ${players} players: ${(error as Error).message.split("\n")[0]}\n`);
    return undefined;
  }
}

const steps = values.steps.split(",").map(Number);
const targets = values.targets.split(",") as Workload["target"][];
const best = new Map<Workload["target"], RunResult>();
const firstFailure = new Map<Workload["target"], RunResult>();
const standing = new Set(targets);
for (const players of steps) {
  if (standing.size === 0) break;
  for (const target of targets) {
    if (!standing.has(target)) continue;
    const result = await measure(target, players);
    if (result !== undefined && shortfalls(result).length === 0 && checksumProblems(result).length === 0) best.set(target, result);
    else {
      standing.delete(target);
      if (result !== undefined) firstFailure.set(target, result);
    }
  }
}

const relayPlayers = best.get("relay")?.players;
const p99 = (run: RunResult) =>
  formatSpread(
    spread(run, (w) => w.bots.arrival.p99),
    " ms",
    2,
  );
const row = (target: Workload["target"], label: string): string => {
  const run = best.get(target);
  const failed = firstFailure.get(target);
  const next = failed === undefined ? "–" : `${failed.players}: ${p99(failed)}`;
  if (run === undefined) return `| ${label} | none of the steps | – | – | – | – | – | ${next} |`;
  const ratio = relayPlayers ? `${(run.players / relayPlayers).toFixed(2)}×` : "–";
  const first = run.windows[0]!.bots;
  const envelope = ENVELOPE_BYTES[target];
  return [
    `| ${label}`,
    `${run.players}`,
    ratio,
    p99(run),
    formatSpread(
      spread(run, (w) => w.server.lateness.p99),
      " ms",
      2,
    ),
    `${formatSpread(
      spread(run, (w) => w.serverCpuPercent),
      " %",
      0,
    )}, kernel ${spread(run, (w) => w.serverKernelCpuPercent).median.toFixed(0)} %`,
    `${spread(run, (w) => w.botCpuPercent).median.toFixed(0)} % / ${spread(run, (w) => w.botCoreBusyPercent ?? Number.NaN).median.toFixed(0)} %`,
    `${(first.bytesPerFrameMessage - envelope).toFixed(0)} + ${envelope} + ${first.wsHeaderBytesPerFrame.toFixed(0)} B`,
    `${next} |`,
  ].join(" | ");
};

// Stalls at 80 % of what the relay held: the goal is none over 20 ms.
let stallLine = "LockstepRoom at 80 % of the relay's capacity: not run (the relay held no step).";
if (relayPlayers !== undefined && targets.includes("lockstep")) {
  const players = Math.round((relayPlayers * 0.8) / ROOM_SIZE) * ROOM_SIZE;
  const run = await measure("lockstep", players);
  if (run !== undefined) {
    stallLine =
      `LockstepRoom at 80 % of the relay's capacity (${players} players): arrival p99 ${p99(run)}, max ${formatSpread(
        spread(run, (w) => w.bots.arrival.max),
        " ms",
      )}, ` +
      `frames over 20 ms late per window ${formatSpread(
        spread(run, (w) => w.bots.stalls),
        "",
        0,
      )}.`;
  }
}

const catchUp = catchUpServerTime(18_000);
const memory = hourLogMemory();
const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(`
Machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}; server pinned to core 0, bots to core 1.
Workload: ${ROOM_SIZE}-player rooms, 30 Hz, a 12-byte input from every player every frame${Number(values.checksums) > 0 ? ` (LockstepRoom: and a state checksum every ${values.checksums} frames)` : ""}; ${values.windows} windows of ${values.seconds} s per step after 5 s of warm-up.
A step holds when the median over its windows of the p99 frame-arrival lateness is ≤ ${MAX_P99_ARRIVAL_MS} ms, no frame is lost or duplicated and ≥ 99 % are delivered${Number(values.checksums) > 0 ? " (and LockstepRoom accepted every checksum and found no desync)" : ""}.
Figures are medians over the windows, with the lowest–highest window in brackets.

| server | players held | vs relay | arrival p99 | timer lateness p99 | server CPU | bot CPU / bot core busy | bytes per frame (payload + Colyseus + WebSocket) | next step: arrival p99 |
|---|---|---|---|---|---|---|---|---|
${row("relay", "bare ws relay")}
${row("lockstep", "LockstepRoom")}
${row("schema", "Colyseus schema room")}

${stallLine}

Catch-up of 18,000 frames (10 min at 30 Hz, 4 × 12-byte inputs): ${catchUp.medianMs.toFixed(1)} ms server time (median of 15), ${catchUp.chunks} chunks, ${(catchUp.bytes / 1024).toFixed(0)} KiB.
Frame log of a 1-hour 4-player match: ${memory.frames} frames, ${(memory.storedBytes / 1048576).toFixed(2)} MiB of frames, ${(memory.retainedBytes / 1048576).toFixed(2)} MiB retained.
`);
