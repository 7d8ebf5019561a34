import { setImmediate as nextTurn } from "node:timers/promises";
import { constants, createGzip } from "node:zlib";
import { concatBytes } from "../protocol/bytes.ts";
import { replayBodyPieces, replayPreamble, type FrameBytesRun, type ReplayHeader } from "../protocol/replay-format.ts";

/**
 * Writes a replay document (see `readReplayDocument` and docs/PROTOCOL.md): magic, version and
 * the gzipped body, from the frames as runs (`runsOfFrames(frames)` for frames held one by one). The body goes to zlib piece by piece, yielding to the event loop between
 * pieces, and compression runs on libuv's thread pool: rooms on the same process keep closing
 * their frames on time while a long match is written. Level 9, as a replay is written once and
 * read many times.
 */
export async function encodeReplayDocument(header: ReplayHeader, runs: readonly FrameBytesRun[]): Promise<Uint8Array> {
  const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
  const chunks: Uint8Array[] = [replayPreamble()];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.once("end", resolve);
    gzip.once("error", reject);
  });
  for (const piece of replayBodyPieces(header, runs)) {
    if (!gzip.write(piece)) await new Promise((resolve) => gzip.once("drain", resolve));
    await nextTurn();
  }
  gzip.end();
  await done;
  return concatBytes(chunks, true);
}
