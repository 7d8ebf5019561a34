import type { RunResult, WindowResult } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

/** Bytes Colyseus adds around a frame: [code][type] for a lockstep frame, [code] for a state patch, none for the relay. */
export const ENVELOPE_BYTES: Record<Workload["target"], number> = { lockstep: 2, schema: 1, relay: 0 };

/** A step holds when the median over its windows of the p99 frame-arrival lateness is at most this. */
export const MAX_P99_ARRIVAL_MS = 5;
/** ... and every window delivered at least this share of the expected frames, none lost or duplicated. */
export const MIN_DELIVERY_RATIO = 0.99;

/** A figure over a run's windows: its median, and its spread (lowest and highest). */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** `pick` over every window of `run`. */
export function spread(run: RunResult, pick: (window: WindowResult) => number): Spread {
  const values = run.windows.map(pick).sort((a, b) => a - b);
  const middle = values.length / 2;
  const median = values.length % 2 === 1 ? values[Math.floor(middle)]! : (values[middle - 1]! + values[middle]!) / 2;
  return { median, min: values[0]!, max: values.at(-1)! };
}

/** `2.1 ms (1.8–2.6)`: the median and the spread of a figure. */
export function formatSpread(value: Spread, unit: string, digits = 1): string {
  return `${value.median.toFixed(digits)}${unit} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
}

/** Why a run does not hold its players (empty when it does): the rule every step of `npm run bench` is judged by. */
export function shortfalls(run: RunResult): string[] {
  const reasons: string[] = [];
  const p99 = spread(run, (window) => window.bots.arrival.p99).median;
  if (p99 > MAX_P99_ARRIVAL_MS) reasons.push(`median p99 arrival ${p99.toFixed(2)} ms > ${MAX_P99_ARRIVAL_MS} ms`);
  const lost = run.windows.reduce((sum, window) => sum + window.bots.lost, 0);
  const duplicated = run.windows.reduce((sum, window) => sum + window.bots.duplicated, 0);
  if (lost > 0 || duplicated > 0) reasons.push(`${lost} frames lost, ${duplicated} duplicated`);
  const delivery = Math.min(...run.windows.map((window) => window.bots.framesPerSecond / run.expectedFramesPerSecond));
  if (delivery < MIN_DELIVERY_RATIO) reasons.push(`a window delivered ${(delivery * 100).toFixed(1)} % of the frames`);
  return reasons;
}

const percent = (value: number | undefined): string => (value === undefined ? "–" : `${value.toFixed(0)} %`);

/** A run as the load test prints it: every window, then the medians and spreads, then the verdict. */
export function describe(run: RunResult): string {
  const w = run.workload;
  const envelope = ENVELOPE_BYTES[w.target];
  const first = run.windows[0]!.bots;
  const lines = [
    `target ${w.target}: ${w.rooms} rooms × ${w.roomSize} players at ${w.frameRate} Hz, ${w.inputBytes}-byte inputs, ${w.windows} windows of ${w.seconds} s` +
      (run.pinned ? " (server on core 0, bots on core 1)" : " (not pinned: server and bots share the cores)"),
    "",
    "window | arrival p50 / p99 / max | stalls > 20 ms | timer lateness p99 / max | server CPU (kernel) | bot CPU | bot core busy | bot loop delay p99 | input → frame p50 / p99 | delivered | lost / dup",
  ];
  run.windows.forEach((window, index) => {
    const { bots, server } = window;
    lines.push(
      [
        `${index + 1}`,
        `${bots.arrival.p50} / ${bots.arrival.p99} / ${bots.arrival.max} ms`,
        `${bots.stalls}`,
        `${server.lateness.p99} / ${server.lateness.max} ms`,
        `${percent(window.serverCpuPercent)} (${percent(window.serverKernelCpuPercent)})`,
        percent(window.botCpuPercent),
        percent(window.botCoreBusyPercent),
        `${bots.botLoopDelayP99Ms.toFixed(1)} ms`,
        `${bots.inputToFrame.p50} / ${bots.inputToFrame.p99} ms`,
        `${((bots.framesPerSecond / run.expectedFramesPerSecond) * 100).toFixed(1)} %`,
        `${bots.lost} / ${bots.duplicated}`,
      ].join(" | "),
    );
  });
  const reasons = shortfalls(run);
  lines.push(
    "",
    `players                ${run.players}`,
    `arrival p99            ${formatSpread(
      spread(run, (window) => window.bots.arrival.p99),
      " ms",
      2,
    )}  (median, lowest–highest window)`,
    `arrival max            ${formatSpread(
      spread(run, (window) => window.bots.arrival.max),
      " ms",
    )}`,
    `timer lateness p99     ${formatSpread(
      spread(run, (window) => window.server.lateness.p99),
      " ms",
      2,
    )}`,
    `server CPU             ${formatSpread(
      spread(run, (window) => window.serverCpuPercent),
      " %",
      0,
    )} of a core, kernel ${formatSpread(
      spread(run, (window) => window.serverKernelCpuPercent),
      " %",
      0,
    )}`,
    `bot CPU                ${formatSpread(
      spread(run, (window) => window.botCpuPercent),
      " %",
      0,
    )} of a core`,
    `bytes per frame        ${(first.bytesPerFrameMessage - envelope).toFixed(1)} payload + ${envelope} Colyseus header + ${first.wsHeaderBytesPerFrame.toFixed(1)} WebSocket header`,
    `server memory (RSS)    ${(run.windows.at(-1)!.server.rssBytes / 1048576).toFixed(0)} MiB`,
    reasons.length === 0 ? `holds: median p99 arrival ≤ ${MAX_P99_ARRIVAL_MS} ms, every frame delivered once` : `does not hold: ${reasons.join("; ")}`,
  );
  return lines.join("\n");
}
