import { logger } from "@colyseus/core";
import { frameCountOf, type FrameBytesRun, type ReplayHeader } from "../protocol/replay-format.ts";
import { sliceRuns } from "./frame-runs.ts";
import type { LockstepMetrics } from "./metrics.ts";
import { encodeReplayDocument } from "./replay-document.ts";
import type { ReplayStore, ReplaySummary } from "./replay-store.ts";

/** Largest replay document stored by default: 16 MiB, about eight hours of a 4-player match at 30 Hz with 12-byte inputs. */
export const DEFAULT_MAX_REPLAY_BYTES = 16 * 1024 * 1024;
/** How long replays are kept by default. */
export const DEFAULT_REPLAY_RETENTION_DAYS = 30;
/**
 * Waits between attempts to write a replay: about 6.5 minutes in all, enough to ride out a
 * database restart or failover. Frames stay in memory (or in Redis) meanwhile.
 */
export const DEFAULT_REPLAY_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 15_000, 60_000, 300_000];
/**
 * Most replays waiting to be written. Overflow rule: a match that ends while this many wait is
 * not stored (logged as an error and counted in `lockstep_replays_refused_total`): a database
 * that has been down for minutes must not make the process hold every match's frames.
 */
export const DEFAULT_MAX_PENDING_REPLAYS = 64;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Frames from `firstFrame`, in order, as runs of frames stored back to back (see `FrameBytesRun`). */
export interface FrameRunSource {
  readonly firstFrame: number;
  readonly runs: readonly FrameBytesRun[];
}

/** A match that ended, handed to the archive by its room. */
export interface FinishedMatch {
  readonly header: ReplayHeader;
  /** Reads the frames (from the frame log, or the Redis journal when the match has one); may be retried. */
  readonly frames: () => Promise<FrameRunSource>;
  /** The replay is in the database: the hot copy (the Redis journal) can go. */
  readonly archived?: () => Promise<void>;
  /** Called once the archive is done with this match, `true` if the replay was stored (after `archived`). */
  readonly settled?: (stored: boolean) => void;
}

/** Where a room hands its finished match (the process's {@link ReplayArchive}). */
export interface ReplaySink {
  record(match: FinishedMatch): void;
}

/** Options of {@link ReplayArchive}. */
export interface ReplayArchiveOptions {
  readonly store: ReplayStore;
  /** Largest document stored (default {@link DEFAULT_MAX_REPLAY_BYTES}); a larger one is not stored, and logged. */
  readonly maxReplayBytes?: number;
  /** Replays of matches that ended longer ago are deleted, checked hourly (default {@link DEFAULT_REPLAY_RETENTION_DAYS}; 0 keeps them forever). */
  readonly retentionDays?: number;
  /** See {@link DEFAULT_REPLAY_RETRY_DELAYS_MS}. */
  readonly retryDelaysMs?: readonly number[];
  /** See {@link DEFAULT_MAX_PENDING_REPLAYS}. */
  readonly maxPending?: number;
  readonly metrics?: LockstepMetrics;
}

/** A replay that cannot be stored whatever the retries (too large, frames missing). */
class ReplayRefused extends Error {}

/**
 * Thrown by a {@link FinishedMatch}'s `frames` when its frames are gone for good (the journal
 * was removed or expired): the replay is given up at once instead of retried.
 */
export class ReplayFramesGone extends Error {}

/** A queued replay and where its retries stand. */
interface Pending {
  readonly match: FinishedMatch;
  /** Attempts made so far. */
  attempts: number;
  /** Not tried again before this time (`Date.now()`). */
  notBefore: number;
  /** One attempt was made after `close`: the next failure is final. */
  triedWhileClosing: boolean;
}

/**
 * Writes the replays of a process's finished matches to the replay store, one at a time, off
 * the frame clock: a match hands over its header and a way to read its frames after
 * `match_end`; reading, compressing (on the thread pool) and writing happen later. A failed
 * write is retried (see {@link DEFAULT_REPLAY_RETRY_DELAYS_MS}) and every outcome that is not a
 * stored replay is logged with the match's id and counted in the metrics. It also deletes
 * replays past their retention.
 */
export class ReplayArchive implements ReplaySink {
  readonly #store: ReplayStore;
  readonly #maxBytes: number;
  readonly #retentionDays: number;
  readonly #retryDelays: readonly number[];
  readonly #maxPending: number;
  readonly #metrics: LockstepMetrics | undefined;
  readonly #queue: Pending[] = [];
  #writing: Promise<void> | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closing = false;
  /** Cuts the current retry wait short (on close). */
  #wake: (() => void) | undefined;

  constructor(options: ReplayArchiveOptions) {
    this.#store = options.store;
    this.#maxBytes = options.maxReplayBytes ?? DEFAULT_MAX_REPLAY_BYTES;
    this.#retentionDays = options.retentionDays ?? DEFAULT_REPLAY_RETENTION_DAYS;
    this.#retryDelays = options.retryDelaysMs ?? DEFAULT_REPLAY_RETRY_DELAYS_MS;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING_REPLAYS;
    this.#metrics = options.metrics;
    if (!(this.#maxBytes > 0)) throw new RangeError("maxReplayBytes must be positive");
    if (!(this.#retentionDays >= 0)) throw new RangeError("retentionDays must be 0 (keep forever) or more");
  }

  /** Replays waiting to be written, including the one being written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues a finished match's replay; returns at once. */
  record(match: FinishedMatch): void {
    if (this.#closing) {
      this.#refused(match.header, "the server is stopping");
      match.settled?.(false);
      return;
    }
    if (this.#queue.length >= this.#maxPending) {
      this.#refused(match.header, `${this.#queue.length} replays are already waiting to be written`);
      match.settled?.(false);
      return;
    }
    this.#queue.push({ match, attempts: 0, notBefore: 0, triedWhileClosing: false });
    // A replay waiting out a retry delay does not hold this one up.
    this.#wake?.();
    this.#writing ??= this.#drain();
  }

  /** Resolves once every queued replay is written or given up. */
  async settled(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  /** Deletes replays past their retention now, and then every hour until {@link close}; returns how many the first pass deleted. */
  async startSweeping(): Promise<number> {
    if (this.#sweepTimer === undefined && this.#retentionDays > 0) {
      this.#sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_INTERVAL_MS);
      this.#sweepTimer.unref();
    }
    return this.sweep();
  }

  /** Deletes replays of matches that ended before the retention period; returns how many (0 with retention off). */
  async sweep(now = new Date()): Promise<number> {
    if (this.#retentionDays === 0) return 0;
    try {
      const deleted = await this.#store.deleteEndedBefore(new Date(now.getTime() - this.#retentionDays * DAY_MS));
      if (deleted > 0) logger.info(`lockstep: deleted ${deleted} replays older than ${this.#retentionDays} days`);
      return deleted;
    } catch (error) {
      logger.warn(`lockstep: could not delete old replays (${(error as Error).message}); trying again in an hour`);
      throw error;
    }
  }

  /**
   * Stops sweeping and writes what is queued, each with one more attempt at once instead of
   * waiting out its retry delay; refuses new matches. Resolves when the queue is empty.
   */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.#wake?.();
    await this.settled();
  }

  /**
   * Writes the queue, oldest first; a replay whose write failed waits out its retry delay
   * while the others are written (a database that refuses one replay does not hold up the rest).
   */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const now = Date.now();
      const next = this.#queue.find((pending) => this.#closing || pending.notBefore <= now);
      if (next === undefined) {
        await this.#pause(Math.min(...this.#queue.map((pending) => pending.notBefore)) - now);
        continue;
      }
      const stored = await this.#attempt(next);
      if (stored === undefined) continue;
      this.#queue.splice(this.#queue.indexOf(next), 1);
      next.match.settled?.(stored);
    }
    this.#writing = undefined;
  }

  /** One attempt at a replay: true if stored, false if given up, undefined if it is to be retried (its `notBefore` is set). */
  async #attempt(pending: Pending): Promise<boolean | undefined> {
    const { match } = pending;
    const { header } = match;
    pending.attempts++;
    try {
      const document = await this.#document(match);
      await this.#store.save({ summary: summaryOf(header, document.byteLength), document });
      if (this.#metrics !== undefined) this.#metrics.replaysStored++;
      if (pending.attempts > 1) logger.info(`lockstep: replay ${header.id} of room ${header.room_id} written after ${pending.attempts} attempts`);
      await match.archived?.().catch((error: unknown) => {
        logger.warn(`lockstep: replay ${header.id} is stored, but its journal could not be removed (${(error as Error).message}); it expires on its own`);
      });
      return true;
    } catch (error) {
      if (error instanceof ReplayRefused || error instanceof ReplayFramesGone) {
        this.#refused(header, error.message);
        return false;
      }
      const delay = this.#retryDelays[pending.attempts - 1];
      if (delay === undefined || pending.triedWhileClosing) {
        if (this.#metrics !== undefined) this.#metrics.replaysFailed++;
        // The store's own failure (the database is down or refusing), already reported per attempt: one line, no stack.
        logger.error(
          `lockstep: replay ${header.id} of room ${header.room_id} (${header.room_name}) was NOT stored after ${pending.attempts} attempts: ${(error as Error).message}`,
        );
        return false;
      }
      logger.warn(`lockstep: could not write replay ${header.id} of room ${header.room_id} (${(error as Error).message}); retrying in ${delay} ms`);
      pending.triedWhileClosing = this.#closing;
      pending.notBefore = Date.now() + (this.#closing ? 0 : delay);
      return undefined;
    }
  }

  async #document(match: FinishedMatch): Promise<Uint8Array> {
    const { header } = match;
    const run = await match.frames();
    const count = header.last_frame - header.start_frame + 1;
    if (run.firstFrame > header.start_frame) {
      throw new ReplayRefused(`frames ${header.start_frame} to ${run.firstFrame - 1} are no longer kept (the frame log evicted them: raise maxLogBytes)`);
    }
    const from = header.start_frame - run.firstFrame;
    const available = frameCountOf(run.runs) - from;
    if (available < count) {
      throw new ReplayRefused(`only ${available} of its ${count} frames could be read`);
    }
    const document = await encodeReplayDocument(header, sliceRuns(run.runs, from, count));
    if (document.byteLength > this.#maxBytes) {
      throw new ReplayRefused(`it takes ${document.byteLength} bytes, over maxReplayBytes (${this.#maxBytes})`);
    }
    return document;
  }

  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  #refused(header: ReplayHeader, why: string): void {
    if (this.#metrics !== undefined) this.#metrics.replaysRefused++;
    logger.error(`lockstep: replay ${header.id} of room ${header.room_id} (${header.room_name}) is not stored: ${why}`);
  }
}

/** The listing line of a replay. */
export function summaryOf(header: ReplayHeader, sizeBytes: number): ReplaySummary {
  const players = new Map(header.participants.map(({ uid, name }) => [uid, { uid, name }]));
  return {
    id: header.id,
    room_id: header.room_id,
    room_name: header.room_name,
    started_at: header.started_at,
    ended_at: header.ended_at,
    end_reason: header.end_reason,
    start_frame: header.start_frame,
    last_frame: header.last_frame,
    frame_rate: header.frame_rate,
    // A player who left and came back is listed once.
    players: [...players.values()],
    public: header.public,
    size_bytes: sizeBytes,
  };
}
