/**
 * The wire protocol shared by the server and the client SDK: every byte the project sends or
 * reads is written and parsed here. Pure functions over `Uint8Array`; no Node APIs.
 * See docs/PROTOCOL.md for the byte-by-byte description.
 * @packageDocumentation
 */
export { ByteWriter, MAX_VARUINT, varuintSize } from "./byte-writer.ts";
export { ByteReader } from "./byte-reader.ts";
export { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";
export {
  FrameEventKind,
  encodeFrame,
  readFrame,
  decodeFrame,
  frameNumberOf,
  frameToBytes,
  type Frame,
  type FrameEntry,
  type FrameAction,
  type FrameEvent,
} from "./frame-codec.ts";
export { encodeReloadChunkHeader, decodeReloadChunk, type ReloadChunk } from "./reload-codec.ts";
export { encodeAction, decodeAction } from "./action-codec.ts";
export * from "./messages.ts";
