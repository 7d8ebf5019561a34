import { ByteWriter } from "../protocol/byte-writer.ts";
import { encodeFrame } from "../protocol/frame-codec.ts";
import type { FrameLog } from "./frame-log.ts";
import type { FramePublisher } from "./frame-publisher.ts";
import type { InputQueue, QueuedEntry } from "./input-queue.ts";
import type { LockstepMetrics } from "./metrics.ts";
import type { LockstepOptions } from "./options.ts";
import type { RecentLateness } from "./recent-lateness.ts";

/** The last 256 frames' firing times are kept: a frame sent later than that (a long journal outage) is not measured. */
const FIRED_RING_MASK = 255;

/** Construction options of {@link FrameCloser}. */
export interface FrameCloserOptions<TAction> {
  readonly queue: InputQueue<TAction>;
  readonly log: FrameLog;
  readonly publisher: FramePublisher;
  readonly logOverflow: LockstepOptions["logOverflow"];
  readonly metrics: LockstepMetrics | undefined;
  /** The room's own last-minute lateness, for its operators. */
  readonly recent?: RecentLateness;
  /** The log is full and `logOverflow` is `end-match`: the frame was not closed. */
  readonly onLogFull: () => void;
  /** A frame was closed and handed to the publisher, with its entries (valid until the next-but-one frame). */
  readonly onClosed: (frame: number, entries: readonly QueuedEntry<TAction>[]) => void;
}

/**
 * Closes a frame on each tick: takes the open frame's entries from the input queue, encodes
 * them once (one reused buffer: the tick allocates only the logged copy), appends the bytes to
 * the log and hands them to the publisher, which sends them.
 */
export class FrameCloser<TAction> {
  readonly #options: FrameCloserOptions<TAction>;
  readonly #writer = new ByteWriter();
  /** When the timer of each of the last frames fired (by frame number modulo the ring), for the fan-out metric. */
  readonly #firedAt = new Float64Array(FIRED_RING_MASK + 1);
  readonly #firedFrame = new Int32Array(FIRED_RING_MASK + 1).fill(-1);

  constructor(options: FrameCloserOptions<TAction>) {
    this.#options = options;
  }

  /** When `frame`'s timer fired (`performance.now()`), if it is one of the last 256 closed. */
  firedAt(frame: number): number | undefined {
    const slot = frame & FIRED_RING_MASK;
    return this.#firedFrame[slot] === frame ? this.#firedAt[slot] : undefined;
  }

  /** The scheduler's tick: closes `frame`, `lateMs` after its deadline, at `firedAt` (`performance.now()`: the scheduler's reading, or read here). */
  readonly close = (frame: number, lateMs: number, firedAt: number = performance.now()): void => {
    const { queue, log, publisher, logOverflow, metrics } = this.#options;
    this.#firedAt[frame & FIRED_RING_MASK] = firedAt;
    this.#firedFrame[frame & FIRED_RING_MASK] = frame;
    metrics?.recordTick(lateMs);
    this.#options.recent?.record(lateMs, firedAt);
    const entries = queue.take();
    if (metrics !== undefined) for (const entry of entries) if (entry.type === "action") metrics.recordInputDelay(firedAt - entry.receivedAt);
    const writer = encodeFrame(this.#writer.reset(), { frame, entries });
    if (logOverflow === "end-match" && !log.canAppend(writer.length)) {
      this.#options.onLogFull();
      return;
    }
    publisher.publish(frame, log.append(writer.view()));
    this.#options.onClosed(frame, entries);
  };
}
