import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import { encodeReplayBody, replayPreamble, type ReplayHeader } from "../protocol/replay-format.ts";

const gzipAsync = promisify(gzip);

/**
 * Writes a replay document (see `readReplayDocument` and docs/PROTOCOL.md): magic, version and
 * the gzipped body. Compression runs on libuv's thread pool, off the event loop that closes
 * frames; level 9, as a replay is written once and read many times.
 */
export async function encodeReplayDocument(header: ReplayHeader, frames: readonly Uint8Array[]): Promise<Uint8Array> {
  const compressed = await gzipAsync(encodeReplayBody(header, frames), { level: constants.Z_BEST_COMPRESSION });
  const preamble = replayPreamble();
  const document = new Uint8Array(preamble.byteLength + compressed.byteLength);
  document.set(preamble, 0);
  document.set(compressed, preamble.byteLength);
  return document;
}
