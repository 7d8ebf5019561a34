/**
 * The wire protocol, for clients written without the client SDK (and used by the SDK itself):
 * message names and codes, and the decoders of what the server sends and the encoder of what
 * it accepts. Pure functions over `Uint8Array`; no Node APIs. See docs/PROTOCOL.md for the
 * byte-by-byte description.
 * @packageDocumentation
 */
export { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";
export { FrameEventKind, decodeFrame, frameNumberOf, type Frame, type FrameEntry, type FrameAction, type FrameEvent } from "./frame-codec.ts";
export { decodeReloadChunk, type ReloadChunk } from "./reload-codec.ts";
export { encodeAction, decodeAction } from "./action-codec.ts";
export * from "./messages.ts";
export {
  MAX_CHECKSUM_PARTS,
  MAX_HASH_BYTES,
  MAX_PART_NAME_BYTES,
  MAX_STATE_DUMP_CHUNKS,
  STATE_DUMP_CHUNK_BYTES,
  StateDumpFormat,
  checksumParts,
  decodeChecksum,
  decodeStateDumpChunk,
  encodeChecksum,
  encodeStateDumpChunk,
  stateDumpMessages,
  type Checksum,
  type StateDumpChunk,
  type StateHash,
} from "./checksum-codec.ts";
export type { DesyncGroup, DesyncMatchSettings, DesyncNotice, StateDumpRequest } from "./desync-messages.ts";
export {
  MAX_REPLAY_BODY_BYTES,
  REPLAY_BODY_SLICE_FRAMES,
  REPLAY_FORMAT_VERSION,
  REPLAY_MAGIC,
  ReplayErrorCode,
  ReplayFormatError,
  decodeReplayBody,
  encodeReplayBody,
  frameCountOf,
  readReplayDocument,
  runsOfFrames,
  replayBodyPieces,
  replayPreamble,
  wholeStateHash,
  type FrameBytesRun,
  type ReplayChecksum,
  type ReplayDocument,
  type ReplayHeader,
  type ReplayParticipant,
  type ReplaySnapshot,
} from "./replay-format.ts";
export { concatBytes, readBounded } from "./bytes.ts";
export { hashState } from "./state-hash.ts";
