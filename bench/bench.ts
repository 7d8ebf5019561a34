// npm run bench: the same workload against LockstepRoom, a stock Colyseus schema room and a bare
// `ws` relay; ramps players to find the most each holds at 30 Hz in 4-player rooms with p99 tick
// lateness ≤ 5 ms and no frame lost; then catch-up time and log memory. Loopback only.
import { availableParallelism, cpus } from "node:os";
import { parseArgs } from "node:util";
import { catchUpServerTime, hourLogMemory } from "./log-benchmarks.ts";
import { ENVELOPE_BYTES } from "./report.ts";
import { runWorkload, type RunResult } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "400,600,800,1000,1200,1400,1600,1800,2000" },
    seconds: { type: "string", default: "10" },
    targets: { type: "string", default: "relay,lockstep,schema" },
  },
});

/** The pass rule of a ramp step. */
const MAX_P99_LATENESS_MS = 5;
const MIN_DELIVERY_RATIO = 0.99;

function passes(result: RunResult): boolean {
  return (
    result.server.lateness.p99 <= MAX_P99_LATENESS_MS &&
    result.bots.lost === 0 &&
    result.bots.duplicated === 0 &&
    result.bots.framesPerSecond >= MIN_DELIVERY_RATIO * result.bots.expectedFramesPerSecond
  );
}

const steps = values.steps.split(",").map(Number);
const targets = values.targets.split(",") as Workload["target"][];
const best = new Map<Workload["target"], RunResult | undefined>();

for (const target of targets) {
  let held: RunResult | undefined;
  for (const players of steps) {
    const workload: Workload = { target, rooms: players / 4, roomSize: 4, frameRate: 30, inputBytes: 12, seconds: Number(values.seconds), warmupSeconds: 3 };
    process.stderr.write(`\n${target} with ${players} players\n`);
    let result: RunResult;
    try {
      result = await runWorkload(workload, (line) => process.stderr.write(line));
    } catch (error) {
      process.stderr.write(`\n${target} failed at ${players} players: ${(error as Error).message.split("\n")[0]}\n`);
      break;
    }
    const ok = passes(result);
    process.stderr.write(
      `\n  ${ok ? "held" : "not held"}: server CPU ${result.serverCpuPercent.toFixed(0)} %, bots CPU ${result.botCpuPercent.toFixed(0)} %, p99 lateness ${result.server.lateness.p99} ms, ` +
        `delivered ${((result.bots.framesPerSecond / result.bots.expectedFramesPerSecond) * 100).toFixed(1)} %, lost ${result.bots.lost}\n`,
    );
    if (!ok) break;
    held = result;
  }
  best.set(target, held);
}

const relay = best.get("relay")?.bots.players;
const row = (target: Workload["target"], label: string): string => {
  const result = best.get(target);
  if (result === undefined) return `| ${label} | – | | | | | | |`;
  const ratio = relay ? `${(result.bots.players / relay).toFixed(2)}×` : "–";
  const envelope = ENVELOPE_BYTES[target];
  return `| ${label} | ${result.bots.players} | ${ratio} | ${result.serverCpuPercent.toFixed(0)} % | ${result.server.lateness.p50} / ${result.server.lateness.p99} ms | ${result.bots.inputToFrame.p50} / ${result.bots.inputToFrame.p99} ms | ${(result.bots.bytesPerFrameMessage - envelope).toFixed(0)} + ${envelope} + ${result.bots.wsHeaderBytesPerFrame.toFixed(0)} B | ${result.bots.lost} |`;
};

const catchUp = catchUpServerTime(18_000);
const memory = hourLogMemory();
const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(`
Machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}; server pinned to core 0, bots to core 1.
Workload: 4-player rooms, 30 Hz, a 12-byte input from every player every frame; a step passes with p99 tick lateness ≤ ${MAX_P99_LATENESS_MS} ms, no frame lost or duplicated, ≥ ${MIN_DELIVERY_RATIO * 100} % of frames delivered.

| server | players held | vs relay | server CPU at that load | tick lateness p50 / p99 | input → frame p50 / p99 | bytes per frame (payload + Colyseus + WebSocket header) | frames lost |
|---|---|---|---|---|---|---|---|
${row("lockstep", "LockstepRoom")}
${row("schema", "Colyseus schema room")}
${row("relay", "bare ws relay")}

Catch-up of 18,000 frames (10 min at 30 Hz, 4 × 12-byte inputs): ${catchUp.medianMs.toFixed(1)} ms server time (median of 15), ${catchUp.chunks} chunks, ${(catchUp.bytes / 1024).toFixed(0)} KiB.
Frame log of a 1-hour 4-player match: ${memory.frames} frames, ${(memory.storedBytes / 1048576).toFixed(2)} MiB of frames, ${(memory.retainedBytes / 1048576).toFixed(2)} MiB retained.
`);
