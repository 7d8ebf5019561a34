import type { RunResult } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

/** Bytes Colyseus adds around a frame: [code][type] for a lockstep frame, [code] for a state patch, none for the relay. */
export const ENVELOPE_BYTES: Record<Workload["target"], number> = { lockstep: 2, schema: 1, relay: 0 };

/** Prints a run as the loadtest report. */
export function describe(result: RunResult): string {
  const { bots, server, workload: w } = result;
  const envelope = ENVELOPE_BYTES[w.target];
  return [
    `target ${w.target}: ${w.rooms} rooms × ${w.roomSize} players at ${w.frameRate} Hz, ${w.inputBytes}-byte inputs, ${w.seconds} s measured`,
    `players held           ${bots.players}`,
    `server CPU             ${result.serverCpuPercent.toFixed(1)} % of a core (bots: ${result.botCpuPercent.toFixed(1)} %)`,
    `frames/s delivered     ${bots.framesPerSecond.toFixed(0)} of ${bots.expectedFramesPerSecond} expected`,
    `tick lateness          p50 ${server.lateness.p50} ms, p99 ${server.lateness.p99} ms, max ${server.lateness.max} ms (${server.lateness.count} ticks)`,
    `input → frame          p50 ${bots.inputToFrame.p50} ms, p99 ${bots.inputToFrame.p99} ms`,
    `bytes per frame        ${(bots.bytesPerFrameMessage - envelope).toFixed(1)} payload + ${envelope} Colyseus header + ${bots.wsHeaderBytesPerFrame.toFixed(1)} WebSocket header`,
    `frames lost/duplicated ${bots.lost} / ${bots.duplicated}`,
    `server memory (RSS)    ${(server.rssBytes / 1048576).toFixed(0)} MiB`,
  ].join("\n");
}
