import type { RunResult, WindowResult } from "./run-workload.ts";
import { spectatorDelayFrames, type SpectatorWindow } from "./spectators.ts";
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

/** The median and spread of `values` (at least one). */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError("a spread needs at least one value");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** `pick` over every window of `run`. */
export function spread(run: RunResult, pick: (window: WindowResult) => number): Spread {
  return spreadOf(run.windows.map(pick));
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

/** The checksum interval a run's room used (0: checksums off; only LockstepRoom checks them). */
export function checksumIntervalOf(run: RunResult): number {
  return run.workload.target === "lockstep" ? (run.workload.checksumInterval ?? 0) : 0;
}

/** What a run's server counted over all its windows, and what its bots sent. */
export interface ChecksumTotals {
  readonly sent: number;
  readonly accepted: number;
  /** Accepted per second of the server's windows. */
  readonly perSecond: number;
  readonly desyncs: number;
  /** Every message refused, by error code. */
  readonly refused: Readonly<Record<string, number>>;
  /**
   * Those refused with a code other than an action's: what a checksum can be refused with. (A
   * frame that comes late lets a bot's next input land in the same frame as its last one, which
   * `maxActionsPerFrame` refuses: a symptom of the lateness, which the arrival figures show.)
   */
  readonly refusedNotActions: number;
}

/** A run's checksums over all its windows: sent by the bots, and accepted, refused and found in desync by the server. */
export function checksumTotals(run: RunResult): ChecksumTotals {
  let sent = 0;
  let accepted = 0;
  let desyncs = 0;
  let wallMs = 0;
  const refused: Record<string, number> = {};
  for (const window of run.windows) {
    sent += window.bots.checksumsSent;
    accepted += window.server.checksumsAccepted ?? 0;
    desyncs += window.server.desyncs ?? 0;
    wallMs += window.server.wallMs;
    for (const [code, count] of Object.entries(window.server.refused ?? {})) refused[code] = (refused[code] ?? 0) + count;
  }
  const refusedNotActions = Object.entries(refused).reduce((sum, [code, count]) => (code.startsWith("ACTION_") ? sum : sum + count), 0);
  return { sent, accepted, perSecond: wallMs > 0 ? accepted / (wallMs / 1000) : 0, desyncs, refused, refusedNotActions };
}

/**
 * Why a run with checksums on did not check what it should have (empty when it did, or when
 * checksums are off): the server must accept what the bots sent, refuse nothing but late inputs
 * (see {@link ChecksumTotals.refusedNotActions}), and find no desync (every bot reports the same hash).
 */
export function checksumProblems(run: RunResult): string[] {
  if (checksumIntervalOf(run) === 0) return [];
  if (run.windows.some((window) => window.server.checksumsAccepted === undefined)) return ["the server did not report its checksum counts"];
  const totals = checksumTotals(run);
  const problems: string[] = [];
  if (totals.sent === 0) problems.push("the bots sent no checksum");
  // The server's windows start and end a few ms after the bots': a room's round of checksums may
  // fall on the other side of a boundary, so a shortfall of up to one round (one per player) is not one.
  else if (totals.sent - totals.accepted > Math.max(totals.sent * (1 - MIN_DELIVERY_RATIO), run.players)) {
    problems.push(`the server accepted ${totals.accepted} of ${totals.sent} checksums`);
  }
  if (totals.refusedNotActions > 0) problems.push(`${totals.refusedNotActions} messages refused (${formatRefused(totals.refused)})`);
  if (totals.desyncs > 0) problems.push(`${totals.desyncs} desyncs`);
  return problems;
}

/**
 * What one checksum costs the server, in µs of CPU: the server CPU of a run with checksums on
 * over one without, divided by the checksums accepted per second, for every pairing of a window
 * of `on` with a window of `off` (windows of two runs have no natural pairs). Empty when `on`
 * accepted no checksum. See {@link checksumCostMicros} for the median and spread.
 */
export function checksumCosts(off: RunResult, on: RunResult): number[] {
  const costs: number[] = [];
  for (const withChecksums of on.windows) {
    const accepted = withChecksums.server.checksumsAccepted ?? 0;
    if (accepted === 0 || withChecksums.server.wallMs <= 0) continue;
    const perSecond = accepted / (withChecksums.server.wallMs / 1000);
    const cpuOn = withChecksums.server.cpuMs / withChecksums.server.wallMs;
    for (const without of off.windows) {
      if (without.server.wallMs <= 0) continue;
      const extraCpuPerSecond = cpuOn - without.server.cpuMs / without.server.wallMs;
      costs.push((extraCpuPerSecond * 1e6) / perSecond);
    }
  }
  return costs;
}

/** {@link checksumCosts} as a median and spread, in µs per checksum; undefined when there is none. */
export function checksumCostMicros(off: RunResult, on: RunResult): Spread | undefined {
  const costs = checksumCosts(off, on);
  return costs.length === 0 ? undefined : spreadOf(costs);
}

/**
 * Runs of one workload repeated (rounds interleaved with other runs) as one run with all their
 * windows, in order: its figures are medians and spreads over every window, and it holds by
 * the same rule as one run. Undefined for no runs.
 */
export function mergeRuns(runs: readonly RunResult[]): RunResult | undefined {
  const first = runs[0];
  if (first === undefined) return undefined;
  return { ...first, pinned: runs.every((run) => run.pinned), windows: runs.flatMap((run) => run.windows) };
}

/**
 * Players held over steps run in increasing order: those of the last step that held before the
 * first that did not (as `npm run bench` stops a target at its first failure); undefined when
 * the first step failed.
 */
export function playersHeld(steps: readonly { readonly players: number; readonly holds: boolean }[]): number | undefined {
  let held: number | undefined;
  for (const step of steps) {
    if (!step.holds) break;
    held = step.players;
  }
  return held;
}

/** A cost of `micros` µs per checksum, as % of one core for 1,000 players each sending `frameRate / interval` checksums a second. */
export function corePercentPer1000Players(micros: number, frameRate: number, interval: number): number {
  const checksumsPerSecond = (1000 * frameRate) / interval;
  return ((micros * checksumsPerSecond) / 1e6) * 100;
}

/** `ACTION_LIMIT_REACHED 12, RATE_LIMITED 1`, or `none`. */
export function formatRefused(refused: Readonly<Record<string, number>>): string {
  const entries = Object.entries(refused);
  return entries.length === 0 ? "none" : entries.map(([code, count]) => `${code} ${count}`).join(", ");
}

/** Spectators per room a run had (only LockstepRoom has them). */
export function spectatorsOf(run: RunResult): number {
  return run.workload.target === "lockstep" ? (run.workload.spectators ?? 0) : 0;
}

/** The share of the frames due to a run's spectators that one window delivered. */
function spectatorDelivery(run: RunResult, window: WindowResult): number {
  const due = run.workload.rooms * spectatorsOf(run) * run.workload.frameRate;
  return (window.bots.spectators?.framesPerSecond ?? 0) / due;
}

/**
 * Why a run's spectators were not fed as they should have been (empty when they were, or when
 * it had none): every spectator bot connected through every window, each window delivered what
 * was due to them as the players' windows must, none lost or duplicated, and none came before
 * the delay allowed it.
 */
export function spectatorProblems(run: RunResult): string[] {
  const perRoom = spectatorsOf(run);
  if (perRoom === 0) return [];
  const windows = run.windows.map((window) => window.bots.spectators);
  if (windows.some((window) => window === undefined)) return ["the bots did not report their spectators"];
  const watched = windows.filter((window) => window !== undefined);
  const expected = run.workload.rooms * perRoom;
  const problems: string[] = [];
  const connected = Math.min(...watched.map((window) => window.connected));
  if (connected < expected) problems.push(`${connected} of ${expected} spectators connected in a window`);
  const delivery = Math.min(...run.windows.map((window) => spectatorDelivery(run, window)));
  if (delivery < MIN_DELIVERY_RATIO) problems.push(`a window delivered ${(delivery * 100).toFixed(1)} % of the spectators' frames`);
  const lost = watched.reduce((sum, window) => sum + window.lost, 0);
  const duplicated = watched.reduce((sum, window) => sum + window.duplicated, 0);
  if (lost > 0 || duplicated > 0) problems.push(`spectators: ${lost} frames lost, ${duplicated} duplicated`);
  const tooNew = watched.reduce((sum, window) => sum + window.tooNew, 0);
  if (tooNew > 0) problems.push(`${tooNew} frames reached spectators before their ${spectatorDelayFrames(run.workload.frameRate)}-frame delay`);
  return problems;
}

const percent = (value: number | undefined): string => (value === undefined ? "–" : `${value.toFixed(0)} %`);

/** A run as the load test prints it: every window, then the medians and spreads, then the verdict. */
export function describe(run: RunResult): string {
  const w = run.workload;
  const envelope = ENVELOPE_BYTES[w.target];
  const first = run.windows[0]!.bots;
  const lines = [
    `target ${w.target}: ${w.rooms} rooms × ${w.roomSize} players at ${w.frameRate} Hz, ${w.inputBytes}-byte inputs, ${w.windows} windows of ${w.seconds} s` +
      (checksumIntervalOf(run) > 0 ? `, a checksum from every player every ${checksumIntervalOf(run)} frames` : "") +
      (spectatorsOf(run) > 0 ? `, ${spectatorsOf(run)} spectators per room ${spectatorDelayFrames(w.frameRate)} frames behind` : "") +
      (run.pinned ? " (server on core 0, bots on core 1)" : " (not pinned: server and bots share the cores)"),
    "",
    "window | arrival p50 / p99 / max | stalls > 20 ms | timer lateness p99 / max | server CPU (kernel) | bot CPU | bot core busy | bot loop delay p99 | input → frame p50 / p99 | delivered | lost / dup" +
      (spectatorsOf(run) > 0 ? " | spectators connected / frames / lost / dup / too new" : ""),
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
        ...(bots.spectators !== undefined ? [formatSpectatorWindow(bots.spectators)] : []),
      ].join(" | "),
    );
  });
  const reasons = shortfalls(run);
  const checksumLines: string[] = [];
  if (checksumIntervalOf(run) > 0) {
    const totals = checksumTotals(run);
    const problems = checksumProblems(run);
    checksumLines.push(
      `checksums              ${totals.sent} sent, ${totals.accepted} accepted (${totals.perSecond.toFixed(0)}/s), ${totals.desyncs} desyncs; messages refused: ${formatRefused(totals.refused)}` +
        (problems.length === 0 ? "" : `: ${problems.join("; ")}`),
    );
  }
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
    ...checksumLines,
    ...spectatorLines(run),
    reasons.length === 0 ? `holds: median p99 arrival ≤ ${MAX_P99_ARRIVAL_MS} ms, every frame delivered once` : `does not hold: ${reasons.join("; ")}`,
  );
  return lines.join("\n");
}

/** `100 / 2999 / 0 / 0 / 0`: a window's spectators, as the window table shows them. */
function formatSpectatorWindow(spectators: SpectatorWindow): string {
  return `${spectators.connected} / ${spectators.framesReceived} / ${spectators.lost} / ${spectators.duplicated} / ${spectators.tooNew}`;
}

/** The summary of a run's spectators, apart from the players' figures (none without spectators). */
function spectatorLines(run: RunResult): string[] {
  const perRoom = spectatorsOf(run);
  if (perRoom === 0) return [];
  const problems = spectatorProblems(run);
  const watched = run.windows.flatMap((window) => (window.bots.spectators !== undefined ? [window.bots.spectators] : []));
  if (watched.length === 0) return [`spectators             ${problems.join("; ")}`];
  const delivery = Math.min(...run.windows.map((window) => spectatorDelivery(run, window)));
  return [
    `spectators             ${run.workload.rooms * perRoom} (${perRoom} per room), connected at each window's end: ${formatSpread(spreadOf(watched.map((window) => window.connected)), "", 0)}`,
    `spectator frames       ${formatSpread(spreadOf(watched.map((window) => window.framesReceived)), "", 0)} per window, ${(delivery * 100).toFixed(1)} % of those due in the worst window` +
      (problems.length === 0 ? "; none lost, duplicated or before the delay" : `: ${problems.join("; ")}`),
  ];
}
