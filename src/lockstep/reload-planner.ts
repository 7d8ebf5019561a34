import { ByteWriter } from "../protocol/byte-writer.ts";
import { LockstepErrorCode, type LockstepErrorMessage } from "../protocol/messages.ts";
import { encodeReloadChunkHeader } from "../protocol/reload-codec.ts";
import type { FrameLog } from "./frame-log.ts";

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
export function checkReloadRange(
  log: FrameLog,
  start: number,
  end: number | undefined,
  last: number = log.lastFrame,
): FrameRange | LockstepErrorMessage {
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
 * Builds the `reload_frames` payloads for a checked range: frames in order, each chunk within
 * the limits (a single frame larger than `maxBytes` goes alone), the last chunk flagged final.
 * An empty range yields one empty final chunk, so a client always learns the request is done.
 * Frames are copied from the log as contiguous runs, never re-encoded.
 */
export function buildReloadChunks(log: FrameLog, range: FrameRange, requestId: number, limits: ReloadLimits): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const writer = new ByteWriter(Math.min(limits.maxBytes, 64 * 1024) + 16);
  const emit = (segments: Uint8Array[], frameCount: number, final: boolean): void => {
    writer.reset();
    encodeReloadChunkHeader(writer, { requestId, final, frameCount });
    for (const segment of segments) writer.bytes(segment);
    chunks.push(writer.toBytes());
  };
  if (range.end < range.start) {
    emit([], 0, true);
    return chunks;
  }

  let segments: Uint8Array[] = [];
  let frames = 0;
  let bytes = 0;
  for (const run of log.runs(range.start, range.end)) {
    let segmentStart = 0;
    for (let i = 0; i < run.ends.length; i++) {
      const frameStart = i === 0 ? 0 : run.ends[i - 1]!;
      const frameSize = run.ends[i]! - frameStart;
      if (frames > 0 && (frames === limits.maxFrames || bytes + frameSize > limits.maxBytes)) {
        if (frameStart > segmentStart) segments.push(run.bytes.subarray(segmentStart, frameStart));
        emit(segments, frames, false);
        segments = [];
        frames = 0;
        bytes = 0;
        segmentStart = frameStart;
      }
      frames++;
      bytes += frameSize;
    }
    segments.push(run.bytes.subarray(segmentStart, run.bytes.byteLength));
  }
  emit(segments, frames, true);
  return chunks;
}
