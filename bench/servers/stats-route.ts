import type { Histogram } from "../../src/lockstep/histogram.ts";
import type { ServerStats } from "../workload.ts";

/**
 * Measures a server process over a window: tick lateness (from the server's own histogram)
 * and CPU time. `reset` starts a window; `read` reports it.
 */
export class WindowStats {
  readonly #lateness: Histogram;
  #cpu = process.cpuUsage();
  #since = performance.now();

  constructor(lateness: Histogram) {
    this.#lateness = lateness;
  }

  reset(): void {
    this.#lateness.reset();
    this.#cpu = process.cpuUsage();
    this.#since = performance.now();
  }

  read(): ServerStats {
    const cpu = process.cpuUsage(this.#cpu);
    return {
      lateness: this.#lateness.summary(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - this.#since,
      rssBytes: process.memoryUsage().rss,
    };
  }
}

/** Answers `GET /__bench/stats` (`?reset=1` starts a new window) on a plain Node request handler. */
export function handleStatsRequest(stats: WindowStats, url: string | undefined, respond: (body: string) => void): boolean {
  if (url === undefined || !url.startsWith("/__bench/stats")) return false;
  if (url.includes("reset=1")) stats.reset();
  respond(JSON.stringify(stats.read()));
  return true;
}
