import { ByteReader } from "./byte-reader.ts";
import type { ByteWriter } from "./byte-writer.ts";
import { readFrame, type Frame } from "./frame-codec.ts";
import { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";

/** Bit 0 of a reload chunk's flags: this chunk is the last one of its request. */
const FINAL_FLAG = 0b1;

/** A decoded `reload_frames` chunk. */
export interface ReloadChunk {
  /** The `request_id` of the `sync_request_reload_frames` it answers (0 when none was given). */
  readonly requestId: number;
  /** True on the last chunk of a request. */
  readonly final: boolean;
  /** The frames, in increasing order. */
  readonly frames: readonly Frame[];
  /** Each frame's exact bytes, identical to the `sync_frame` payload that carried it live. */
  readonly frameBytes: readonly Uint8Array[];
}

/**
 * Writes the header of a `reload_frames` chunk; the caller appends `frameCount` encoded frames
 * right after it (the frame log's stored bytes, unchanged):
 *
 * ```text
 * request_id   varuint
 * flags        u8       bit 0: final chunk
 * frame_count  varuint
 * frames       frame_count × frame (see encodeFrame)
 * ```
 */
export function encodeReloadChunkHeader(writer: ByteWriter, header: { requestId: number; final: boolean; frameCount: number }): ByteWriter {
  return writer
    .varuint(header.requestId)
    .u8(header.final ? FINAL_FLAG : 0)
    .varuint(header.frameCount);
}

/** Decodes a `reload_frames` payload. */
export function decodeReloadChunk(bytes: Uint8Array): ReloadChunk {
  const reader = new ByteReader(bytes);
  const requestId = reader.varuint();
  const flags = reader.u8();
  if ((flags & ~FINAL_FLAG) !== 0) {
    throw new ProtocolError(ProtocolErrorCode.INVALID_VALUE, `unknown reload chunk flags ${flags}`);
  }
  const count = reader.varuint();
  // A frame takes at least two bytes.
  if (count * 2 > reader.end - reader.offset) {
    throw new ProtocolError(ProtocolErrorCode.TRUNCATED, `reload chunk claims ${count} frames in too few bytes`);
  }
  const frames: Frame[] = new Array(count);
  const frameBytes: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = reader.offset;
    frames[i] = readFrame(reader);
    frameBytes[i] = bytes.subarray(start, reader.offset);
  }
  reader.expectEnd();
  return { requestId, final: (flags & FINAL_FLAG) !== 0, frames, frameBytes };
}
