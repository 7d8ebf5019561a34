import { ByteWriter } from "../protocol/byte-writer.ts";
import { LockstepErrorCode, type LockstepErrorMessage } from "../protocol/messages.ts";
import { encodeReloadChunkHeader } from "../protocol/reload-codec.ts";
import type { FrameLog, FrameRun } from "./frame-log.ts";

/** Chunk size limits of a reload answer. */
export interface ReloadLimits {
  readonly maxFrames: number;
  readonly maxBytes: number;
}

/** A validated frame range, inclusive on both ends (`end < start` means "nothing to send"). */
export interface FrameRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Checks a requested range against the log. A client that is up to date may ask for
 * `lastFrame + 1` and gets an empty answer; anything later, or older than the log keeps, is an error.
 */
export function checkReloadRange(log: FrameLog, start: number, end: number | undefined, last: number = log.lastFrame): FrameRange | LockstepErrorMessage {
  const type = "sync_request_reload_frames";
  if (end !== undefined && end < start) {
    return { code: LockstepErrorCode.INVALID_REQUEST, type, message: `end_frame ${end} is before start_frame ${start}` };
  }
  if (start > last + 1 || (end !== undefined && end > last)) {
    return {
      code: LockstepErrorCode.FRAME_OUT_OF_RANGE,
      type,
      message: `frames ${start}..${end ?? last} are not all closed yet (last closed frame: ${last})`,
      details: { last_frame: last },
    };
  }
  if (start < log.firstFrame) {
    return {
      code: LockstepErrorCode.FRAME_EVICTED,
      type,
      message: `frame ${start} is no longer in the log (oldest kept: ${log.firstFrame})`,
      details: { first_frame: log.firstFrame, last_frame: last },
    };
  }
  return { start, end: end ?? last };
}

/**
 * Cuts a checked range into `reload_frames` payloads, one at a time, so an answer can be paced
 * to a slow client without building all of it up front: frames in order, each chunk within the
 * limits (a single frame larger than `maxBytes` goes alone), the last chunk flagged final. An
 * empty range yields one empty final chunk, so a client always learns the request is done.
 * Frames are copied from the log as contiguous runs, never re-encoded; the runs are taken when
 * the chunker is made, so frames the log evicts meanwhile are still sent as they were.
 */
export class ReloadChunker {
  readonly #runs: FrameRun[];
  readonly #requestId: number;
  readonly #limits: ReloadLimits;
  readonly #writer: ByteWriter;
  /** Next run, and next frame within it, to put in a chunk. */
  #run = 0;
  #index = 0;
  #done = false;

  constructor(log: FrameLog, range: FrameRange, requestId: number, limits: ReloadLimits) {
    this.#runs = range.end < range.start ? [] : log.runs(range.start, range.end);
    this.#requestId = requestId;
    this.#limits = limits;
    this.#writer = new ByteWriter(Math.min(limits.maxBytes, 64 * 1024) + 16);
  }

  /** True once the final chunk has been returned. */
  get done(): boolean {
    return this.#done;
  }

  /** The next chunk, or undefined after the final one. */
  next(): Uint8Array | undefined {
    if (this.#done) return undefined;
    const segments: Uint8Array[] = [];
    let frames = 0;
    let bytes = 0;
    while (this.#run < this.#runs.length) {
      const run = this.#runs[this.#run]!;
      const segmentStart = this.#index === 0 ? 0 : run.ends[this.#index - 1]!;
      let index = this.#index;
      while (index < run.ends.length) {
        const frameStart = index === 0 ? 0 : run.ends[index - 1]!;
        const frameSize = run.ends[index]! - frameStart;
        if (frames > 0 && (frames === this.#limits.maxFrames || bytes + frameSize > this.#limits.maxBytes)) break;
        frames++;
        bytes += frameSize;
        index++;
      }
      const segmentEnd = index === 0 ? 0 : run.ends[index - 1]!;
      if (segmentEnd > segmentStart) segments.push(run.bytes.subarray(segmentStart, segmentEnd));
      if (index < run.ends.length) {
        this.#index = index;
        return this.#emit(segments, frames, false);
      }
      this.#run++;
      this.#index = 0;
    }
    this.#done = true;
    return this.#emit(segments, frames, true);
  }

  #emit(segments: readonly Uint8Array[], frameCount: number, final: boolean): Uint8Array {
    const writer = this.#writer.reset();
    encodeReloadChunkHeader(writer, { requestId: this.#requestId, final, frameCount });
    for (const segment of segments) writer.bytes(segment);
    return writer.toBytes();
  }
}

/** Every chunk of a reload answer at once (see {@link ReloadChunker}). */
export function buildReloadChunks(log: FrameLog, range: FrameRange, requestId: number, limits: ReloadLimits): Uint8Array[] {
  const chunker = new ReloadChunker(log, range, requestId, limits);
  const chunks: Uint8Array[] = [];
  for (let chunk = chunker.next(); chunk !== undefined; chunk = chunker.next()) chunks.push(chunk);
  return chunks;
}
