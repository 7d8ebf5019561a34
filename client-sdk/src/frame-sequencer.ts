/** Where the sequencer sends its output. */
export interface SequencerSink {
  /** Called exactly once per frame number, in increasing order, with no gaps. */
  deliver(frame: number, bytes: Uint8Array): void;
  /** Asks the server for the frames `from..to` (inclusive) that are missing. */
  requestGap(from: number, to: number): void;
}

/**
 * Turns frames arriving in any order, with gaps and duplicates (live frames, reload chunks,
 * frames received twice around a reconnection) into one ordered stream: each frame number
 * is delivered once, in order. Frames ahead of the next expected one wait in a buffer while
 * the missing ones are requested, each range only once until {@link resetRequests}.
 */
export class FrameSequencer {
  readonly #sink: SequencerSink;
  #next: number | undefined;
  #requestedUpTo = -1;
  readonly #pending = new Map<number, Uint8Array>();

  constructor(sink: SequencerSink) {
    this.#sink = sink;
  }

  /** The next frame number to deliver (undefined before the match start is known). */
  get nextFrame(): number | undefined {
    return this.#next;
  }

  /** The last delivered frame (undefined before the first). */
  get lastDelivered(): number | undefined {
    return this.#next === undefined ? undefined : this.#next - 1;
  }

  /** Frames received ahead of a gap, waiting. */
  get buffered(): number {
    return this.#pending.size;
  }

  /** Sets the first frame of the match; later calls are ignored (the stream has begun). */
  start(startFrame: number): void {
    if (this.#next !== undefined) return;
    this.#next = startFrame;
    this.#requestedUpTo = startFrame - 1;
    this.#drain();
  }

  /** Takes a frame from any source. */
  receive(frame: number, bytes: Uint8Array): void {
    const next = this.#next;
    if (next !== undefined && frame < next) return;
    if (frame === next) {
      this.#deliver(frame, bytes);
      this.#drain();
      return;
    }
    if (!this.#pending.has(frame)) this.#pending.set(frame, bytes);
    this.#requestUpTo(frame - 1);
  }

  /** The server says frames up to `lastFrame` exist (e.g. `room_info` after a reconnection): fetch what is missing. */
  catchUpTo(lastFrame: number): void {
    this.#requestUpTo(lastFrame);
  }

  /** Forgets which ranges were requested (their answers were lost with a connection), so they are asked again. */
  resetRequests(): void {
    if (this.#next !== undefined) this.#requestedUpTo = this.#next - 1;
  }

  #requestUpTo(lastMissing: number): void {
    const next = this.#next;
    if (next === undefined) return;
    const from = Math.max(next, this.#requestedUpTo + 1);
    let to = lastMissing;
    // Frames already buffered at the end of the range need not be fetched again.
    while (to >= from && this.#pending.has(to)) to--;
    if (to < from) return;
    this.#requestedUpTo = Math.max(this.#requestedUpTo, lastMissing);
    this.#sink.requestGap(from, to);
  }

  #deliver(frame: number, bytes: Uint8Array): void {
    this.#next = frame + 1;
    if (this.#requestedUpTo < frame) this.#requestedUpTo = frame;
    this.#sink.deliver(frame, bytes);
  }

  #drain(): void {
    for (;;) {
      const next = this.#next!;
      const bytes = this.#pending.get(next);
      if (bytes === undefined) return;
      this.#pending.delete(next);
      this.#deliver(next, bytes);
    }
  }
}
