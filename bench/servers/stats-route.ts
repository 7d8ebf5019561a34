import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import type { Histogram } from "../../src/lockstep/histogram.ts";
import type { ServerStats } from "../workload.ts";

/** Running totals a server may count besides time and CPU (LockstepRoom's checksums); a window reports their increase. */
export interface ServerCounters {
  readonly checksumsAccepted: number;
  readonly desyncs: number;
  /** Messages refused so far, by error code. */
  readonly refused: Readonly<Record<string, number>>;
}

/**
 * Measures a server process over a window: tick lateness (from the server's own histogram),
 * CPU time and, when given, how much `counters` grew. `reset` starts a window; `read` reports it.
 */
export class WindowStats {
  readonly #lateness: Histogram;
  readonly #counters: (() => ServerCounters) | undefined;
  #cpu = process.cpuUsage();
  #since = performance.now();
  #countedAt: ServerCounters | undefined;

  constructor(lateness: Histogram, counters?: () => ServerCounters) {
    this.#lateness = lateness;
    this.#counters = counters;
    this.#countedAt = counters?.();
  }

  reset(): void {
    this.#lateness.reset();
    this.#cpu = process.cpuUsage();
    this.#since = performance.now();
    this.#countedAt = this.#counters?.();
  }

  read(): ServerStats {
    const cpu = process.cpuUsage(this.#cpu);
    const stats: ServerStats = {
      lateness: this.#lateness.summary(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      kernelCpuMs: cpu.system / 1000,
      wallMs: performance.now() - this.#since,
      rssBytes: process.memoryUsage().rss,
    };
    const now = this.#counters?.();
    const then = this.#countedAt;
    if (now === undefined || then === undefined) return stats;
    return {
      ...stats,
      checksumsAccepted: now.checksumsAccepted - then.checksumsAccepted,
      desyncs: now.desyncs - then.desyncs,
      refused: Object.fromEntries(
        Object.entries(now.refused)
          .map(([code, count]) => [code, count - (then.refused[code] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      ),
    };
  }
}

/**
 * The V8 CPU profiler of this process, run over the measured windows only (not the start-up or
 * the connections), when `BENCH_PROFILE_DIR` is set: `npm run loadtest -- --profile DIR`.
 */
class WindowProfiler {
  #session: Session | undefined;

  async start(): Promise<void> {
    if (process.env.BENCH_PROFILE_DIR === undefined || this.#session !== undefined) return;
    this.#session = new Session();
    this.#session.connect();
    await this.#session.post("Profiler.enable");
    await this.#session.post("Profiler.start");
  }

  /** Writes the profile; resolves with its path. */
  async stop(): Promise<string | undefined> {
    const session = this.#session;
    const dir = process.env.BENCH_PROFILE_DIR;
    if (session === undefined || dir === undefined) return undefined;
    this.#session = undefined;
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    const file = join(dir, `server-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}

const profiler = new WindowProfiler();

/**
 * Answers the runner on a plain Node request handler: `GET /__bench/stats` with the window so far
 * (`?reset=1`: and starts a new one), `GET /__bench/profile/start` and `/__bench/profile/stop`.
 */
export function handleStatsRequest(stats: WindowStats, url: string | undefined, respond: (body: string) => void): boolean {
  if (url === undefined) return false;
  if (url.startsWith("/__bench/profile/")) {
    const action = url.endsWith("/start") ? profiler.start() : profiler.stop();
    action.then(
      (file) => respond(JSON.stringify({ file: file ?? null })),
      (error: unknown) => respond(JSON.stringify({ error: String(error) })),
    );
    return true;
  }
  if (!url.startsWith("/__bench/stats")) return false;
  const window = stats.read();
  if (url.includes("reset=1")) stats.reset();
  respond(JSON.stringify(window));
  return true;
}
