import { logger } from "@colyseus/core";
import { ReplayFramesGone, type ReplaySink } from "../lockstep/replay-archive.ts";
import type { ReplayHeader } from "../protocol/replay-format.ts";
import { JournalError, type MatchStore } from "./match-store.ts";

/**
 * How long after its end a match's replay is left to the process that ended it: longer than
 * that process's own retries (about 6.5 minutes), so the two rarely write the same replay (if
 * they do, the store keeps the first: writes are idempotent).
 */
export const PENDING_REPLAY_GRACE_MS = 10 * 60 * 1000;
/** How often a process looks for replays nobody wrote. */
export const PENDING_REPLAY_SCAN_MS = 60 * 1000;

/** Options of {@link ReplayRecovery}. */
export interface ReplayRecoveryOptions {
  /** See {@link PENDING_REPLAY_GRACE_MS}. */
  readonly graceMs?: number;
  /** See {@link PENDING_REPLAY_SCAN_MS}. */
  readonly scanIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * Writes the replays that the process which ended their match did not: it died between
 * `match_end` and the write, or gave up after its retries. An ended match waits in the match
 * store's pending replays (with its header) until its replay is stored; every process scans
 * them once a minute and hands those past the grace period to its replay archive, which writes
 * them and removes the journal. A replay whose journal expired first (an hour after the match)
 * is reported as lost, never dropped silently.
 */
export class ReplayRecovery {
  readonly #store: MatchStore;
  readonly #sink: ReplaySink;
  readonly #graceMs: number;
  readonly #scanIntervalMs: number;
  readonly #now: () => number;
  /**
   * Matches handed to the archive and not settled yet: not handed again. Ids no longer pending
   * are forgotten at each scan, so this holds at most the pending set (itself bounded: every
   * id in it is dropped once its journal expires, which the scan notices).
   */
  readonly #handled = new Set<string>();
  /** Pending replays whose journal cannot be read: not handed again, only watched until their journal expires. Bounded like `#handled`. */
  readonly #broken = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;

  constructor(store: MatchStore, sink: ReplaySink, options: ReplayRecoveryOptions = {}) {
    this.#store = store;
    this.#sink = sink;
    this.#graceMs = options.graceMs ?? PENDING_REPLAY_GRACE_MS;
    this.#scanIntervalMs = options.scanIntervalMs ?? PENDING_REPLAY_SCAN_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Scans now and then periodically, until {@link stop}. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.scan(), this.#scanIntervalMs);
    this.#timer.unref();
    void this.scan();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass: hands every pending replay past its grace period to the archive; returns how many. Never throws. */
  async scan(): Promise<number> {
    if (this.#scanning) return 0;
    this.#scanning = true;
    let handed = 0;
    try {
      const pending = new Set(await this.#store.pendingReplays());
      for (const roomId of this.#handled) if (!pending.has(roomId)) this.#handled.delete(roomId);
      for (const roomId of this.#broken) if (!pending.has(roomId)) this.#broken.delete(roomId);
      for (const roomId of pending) {
        if (this.#handled.has(roomId)) continue;
        if (await this.#recover(roomId)) handed++;
      }
    } catch (error) {
      logger.warn(`lockstep: could not look for unwritten replays (${(error as Error).message}); trying again in ${this.#scanIntervalMs} ms`);
    } finally {
      this.#scanning = false;
    }
    return handed;
  }

  /**
   * Hands one pending replay to the archive if its grace period is over. The grace period is
   * judged from when the match ended alone; the header (which may carry a megabyte of
   * snapshots) is read only for a replay that is due, and its frames (up to the whole match)
   * only when the archive writes it, a slice at a time: not at every scan of every process, and
   * not held in memory while the replay waits its turn. A replay whose journal cannot be read
   * stays pending until its journal expires (asking when it ended notices that, and drops it).
   */
  async #recover(roomId: string): Promise<boolean> {
    let header: ReplayHeader | undefined;
    try {
      const endedAt = await this.#store.pendingReplayEnd(roomId);
      if (endedAt !== undefined && (this.#broken.has(roomId) || this.#now() - Date.parse(endedAt) < this.#graceMs)) return false;
      header = endedAt === undefined ? undefined : await this.#store.pendingReplayHeader(roomId);
    } catch (error) {
      // Redis did not answer, or the header is not JSON: tried again at the next scan.
      logger.warn(`lockstep: could not read the pending replay of match ${roomId} (${(error as Error).message}); trying again at the next scan`);
      return false;
    }
    if (header === undefined) {
      if (!this.#broken.delete(roomId)) logger.error(`lockstep: the replay of match ${roomId} was lost: its journal expired before any process wrote it`);
      return false;
    }
    this.#handled.add(roomId);
    logger.info(`lockstep: writing the replay of match ${roomId}, which the process that ended it did not write`);
    this.#sink.record({
      header,
      frames: async () => {
        try {
          const frames = await this.#store.finishedFrames(roomId);
          if (frames === undefined) throw new ReplayFramesGone(`the journal of ${roomId} expired before its replay was written`);
          return frames;
        } catch (error) {
          if (!(error instanceof JournalError)) throw error;
          // A broken journal cannot give a whole replay: given up at once, and kept for inspection until it expires.
          this.#broken.add(roomId);
          throw new ReplayFramesGone(`its journal cannot be read: ${error.message}`);
        }
      },
      archived: async () => {
        await this.#store.remove(roomId);
      },
      // Not stored: the next scan tries again while the journal lasts (a broken one is not tried again).
      settled: () => this.#handled.delete(roomId),
    });
    return true;
  }
}
