import type { FramesWrite } from "./persisted-match.ts";
import type { FrameLog } from "./frame-log.ts";
import { systemClock, systemTimers, type MonotonicClock, type Timers } from "./frame-scheduler.ts";

/**
 * Most frames per write. After an outage the backlog (15 s at 60 Hz: 900 frames) goes out in a
 * few writes; each write is one Lua call whose arguments Redis unpacks onto Lua's stack
 * (about 8,000 slots), so a write must stay well under that.
 */
export const MAX_FRAMES_PER_WRITE = 512;
/** Most frame bytes per write: keeps one write's Redis call small (a few milliseconds of work) even with large frames. */
export const MAX_BYTES_PER_WRITE = 256 * 1024;
/**
 * A failed write is retried after 50 ms, then twice as late each time up to 500 ms: quick after
 * a blip, gentle with a Redis that is down, and soon enough after it is back that the lease
 * (3 s) is extended by a write before it lapses after a short outage.
 */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 500;

/** The persistence a publisher drives (`MatchJournal`). */
export interface FrameJournal {
  readonly roomId: string;
  /** How long frames may wait to be stored before the match is given up. */
  readonly outageLimitMs: number;
  /** Stores frames `firstFrame`, … Rejects if the store cannot be reached. */
  store(firstFrame: number, frames: readonly Uint8Array[]): Promise<FramesWrite>;
  /** Makes the next `store` rebuild the journal from `firstFrame`. */
  rebuild(firstFrame: number): void;
  listen(listener: { fenced(): void; recordLost(): void }): void;
}

/**
 * Why a publisher stopped: `fenced` (another process owns the match now), `outage` (nothing
 * could be stored for `outageLimitMs`), `evicted` (frames were dropped from the log before
 * they could be stored).
 */
export type PublishFailure = "fenced" | "outage" | "evicted";

/** Construction options of {@link FramePublisher}. */
export interface FramePublisherOptions {
  /** The room's frame log: the frames to store and send are read from it by number. */
  readonly log: FrameLog;
  /** Sends a frame's bytes to every client. */
  readonly send: (bytes: Uint8Array) => void;
  /** The journal failed for good; nothing more is sent. Called once. */
  readonly onFailure?: (reason: PublishFailure) => void;
  /** Time for the outage limit (default `performance.now()`). */
  readonly clock?: MonotonicClock;
  /** Timers for retries (default Node's). */
  readonly timers?: Timers;
}

/**
 * Sends closed frames to the clients, in order. Without a journal a frame goes out at once.
 * With one (matches that survive their process), a frame goes out only once it is stored:
 * frames are stored in order, in batches, one write at a time, and everything up to the
 * highest stored frame is then sent; a failed write is retried with backoff while the clock
 * keeps closing frames into the log (clients see a pause, then a burst). So a match resumed
 * elsewhere, which continues after the highest stored frame, never contradicts a frame a
 * client has seen.
 *
 * Overflow rule: frames wait in the frame log (bounded by `maxLogBytes`). If nothing can be
 * stored for the journal's `outageLimitMs`, if a waiting frame is evicted from the log, or if
 * another process turns out to own the match, the publisher stops sending and reports it
 * (`onFailure`); the room then gives the match up to whichever process reaches the store.
 */
export class FramePublisher {
  readonly #log: FrameLog;
  readonly #send: (bytes: Uint8Array) => void;
  readonly #onFailure: ((reason: PublishFailure) => void) | undefined;
  readonly #clock: MonotonicClock;
  readonly #timers: Timers;
  #journal: FrameJournal | undefined;
  #lastSent: number;
  #lastStored: number;
  #writing = false;
  #retryTimer: unknown = undefined;
  #retryMs = FIRST_RETRY_MS;
  /** Since when frames have been waiting with no write succeeding. */
  #waitingSince = 0;
  #rebuildPending = false;
  #failure: PublishFailure | undefined;
  readonly #settleWaiters: (() => void)[] = [];

  constructor(options: FramePublisherOptions) {
    this.#log = options.log;
    this.#send = options.send;
    this.#onFailure = options.onFailure;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#lastSent = options.log.lastFrame;
    this.#lastStored = options.log.lastFrame;
  }

  /** Persists frames through `journal` from now on; the frames already in the log count as stored and sent. */
  attach(journal: FrameJournal): void {
    this.#journal = journal;
    this.#lastStored = this.#log.lastFrame;
    this.#lastSent = this.#log.lastFrame;
    journal.listen({ fenced: this.#onFenced, recordLost: this.#onRecordLost });
  }

  /** The last frame sent to clients: reloads never go past it. */
  get lastPublished(): number {
    return this.#lastSent;
  }

  /** Why the publisher stopped, if it did. */
  get failure(): PublishFailure | undefined {
    return this.#failure;
  }

  /** Frame `frame` was just appended to the log (its stored view is `bytes`): send it, once stored if there is a journal. */
  publish(frame: number, bytes: Uint8Array): void {
    if (this.#journal === undefined) {
      this.#lastSent = frame;
      this.#send(bytes);
      return;
    }
    if (this.#failure !== undefined) return;
    const now = this.#clock.now();
    if (this.#lastStored >= frame - 1 && !this.#writing) this.#waitingSince = now;
    else if (now - this.#waitingSince >= this.#journal.outageLimitMs) return this.#fail("outage");
    this.#pump();
  }

  /** Resolves when every frame of the log has been sent, or the publisher has stopped. */
  settled(): Promise<void> {
    if (this.#journal === undefined || this.#failure !== undefined || this.#lastSent >= this.#log.lastFrame) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push(resolve));
  }

  #pump(): void {
    const journal = this.#journal!;
    if (this.#failure !== undefined || this.#writing || this.#retryTimer !== undefined) return;
    if (this.#rebuildPending) {
      this.#rebuildPending = false;
      journal.rebuild(this.#log.firstFrame);
      this.#lastStored = this.#log.firstFrame - 1;
    }
    const last = this.#log.lastFrame;
    if (this.#lastStored >= last) return this.#flush();
    const from = this.#lastStored + 1;
    if (from < this.#log.firstFrame) return this.#fail("evicted");
    const frames: Uint8Array[] = [];
    let bytes = 0;
    for (let frame = from; frame <= last && frames.length < MAX_FRAMES_PER_WRITE; frame++) {
      const stored = this.#log.get(frame)!;
      if (frames.length > 0 && bytes + stored.byteLength > MAX_BYTES_PER_WRITE) break;
      frames.push(stored);
      bytes += stored.byteLength;
    }
    this.#writing = true;
    journal.store(from, frames).then(this.#onWritten, this.#onWriteFailed);
  }

  #onWritten = (written: FramesWrite): void => {
    this.#writing = false;
    if (this.#failure !== undefined) return;
    switch (written.status) {
      case "stored":
        this.#lastStored = Math.max(this.#lastStored, written.lastFrame);
        this.#waitingSince = this.#clock.now();
        this.#retryMs = FIRST_RETRY_MS;
        this.#flush();
        break;
      case "behind":
        // The journal lost its tail: store again from its end, or all of it if the log no longer reaches back that far.
        if (written.nextFrame >= this.#log.firstFrame) this.#lastStored = written.nextFrame - 1;
        else this.#rebuildPending = true;
        break;
      case "missing":
        this.#rebuildPending = true;
        break;
      case "fenced":
      case "conflict":
        return this.#fail("fenced");
    }
    this.#pump();
  };

  #onWriteFailed = (): void => {
    this.#writing = false;
    if (this.#failure !== undefined) return;
    if (this.#clock.now() - this.#waitingSince >= this.#journal!.outageLimitMs) return this.#fail("outage");
    this.#retryTimer = this.#timers.setTimeout(this.#retry, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  };

  #retry = (): void => {
    this.#retryTimer = undefined;
    this.#pump();
  };

  #onFenced = (): void => this.#fail("fenced");

  #onRecordLost = (): void => {
    this.#rebuildPending = true;
    this.#pump();
  };

  /** Sends every stored frame not sent yet, in order. */
  #flush(): void {
    const upTo = Math.min(this.#lastStored, this.#log.lastFrame);
    for (let frame = this.#lastSent + 1; frame <= upTo; frame++) {
      const bytes = this.#log.get(frame);
      if (bytes === undefined) return this.#fail("evicted");
      this.#lastSent = frame;
      this.#send(bytes);
    }
    if (this.#lastSent >= this.#log.lastFrame) this.#settle();
  }

  #fail(reason: PublishFailure): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    if (this.#retryTimer !== undefined) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#settle();
    this.#onFailure?.(reason);
  }

  #settle(): void {
    for (const resolve of this.#settleWaiters.splice(0)) resolve();
  }
}
