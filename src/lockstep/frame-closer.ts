import { ByteWriter } from "../protocol/byte-writer.ts";
import { encodeFrame } from "../protocol/frame-codec.ts";
import type { FrameLog } from "./frame-log.ts";
import type { FramePublisher } from "./frame-publisher.ts";
import type { InputQueue, QueuedEntry } from "./input-queue.ts";
import type { LockstepMetrics } from "./metrics.ts";
import type { LockstepOptions } from "./options.ts";
import type { RecentLateness } from "./recent-lateness.ts";

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

  constructor(options: FrameCloserOptions<TAction>) {
    this.#options = options;
  }

  /** The scheduler's tick: closes `frame`, `lateMs` after its deadline. */
  readonly close = (frame: number, lateMs: number): void => {
    const { queue, log, publisher, logOverflow, metrics } = this.#options;
    if (metrics !== undefined) {
      metrics.framesClosed++;
      metrics.tickLateness.record(lateMs);
    }
    this.#options.recent?.record(lateMs, performance.now());
    const entries = queue.take();
    const writer = encodeFrame(this.#writer.reset(), { frame, entries });
    if (logOverflow === "end-match" && !log.canAppend(writer.length)) {
      this.#options.onLogFull();
      return;
    }
    publisher.publish(frame, log.append(writer.view()));
    this.#options.onClosed(frame, entries);
  };
}
