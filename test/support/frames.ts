import { ByteWriter } from "../../src/protocol/byte-writer.ts";
import { encodeFrame, type Frame } from "../../src/protocol/frame-codec.ts";

/** Encodes one frame into a new byte array, as the server does (it reuses one writer instead). */
export function frameToBytes(frame: Frame): Uint8Array {
  return encodeFrame(new ByteWriter(), frame).toBytes();
}
