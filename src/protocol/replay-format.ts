import { ByteReader } from "./byte-reader.ts";
import { ByteWriter } from "./byte-writer.ts";
import { concatBytes, readBounded } from "./bytes.ts";
import type { MatchEndMessage, PlayerInfo } from "./messages.ts";

/*
 * The replay document: one finished match, as `GET /replays/:id` serves it and `loadReplay`
 * reads it. Layout (docs/PROTOCOL.md, "Replay document"):
 *
 *   magic    4 bytes  "LSRP"
 *   version  u8       REPLAY_FORMAT_VERSION
 *   body     gzip     (RFC 1952: its CRC-32 and length catch corruption and truncation)
 *
 *   body:  header_length varuint, header (UTF-8 JSON, {@link ReplayHeader}),
 *          frame_count varuint, frame_count × varuint length, then the frames' bytes back to back
 *
 * The header's `snapshots` (verified states to seek from) were added without a version change:
 * a reader that does not know them skips them, and a document without them is read as having none.
 *
 * Lengths before bytes: the bytes of consecutive frames sit side by side, which compresses
 * better than interleaving. Frames are exactly the `sync_frame` payloads the players received.
 */

/** First bytes of every replay document: "LSRP". */
export const REPLAY_MAGIC: readonly number[] = [0x4c, 0x53, 0x52, 0x50];
/** Version of the replay document this code writes and reads. */
export const REPLAY_FORMAT_VERSION = 1;
/** Largest body `readReplayDocument` inflates by default (a bound against decompression bombs): 256 MiB. */
export const MAX_REPLAY_BODY_BYTES = 256 * 1024 * 1024;

/** Stable codes of {@link ReplayFormatError}. */
export const ReplayErrorCode = {
  /** The bytes do not start with the replay magic: not a replay document. */
  NOT_A_REPLAY: "REPLAY_NOT_A_REPLAY",
  /** Written by a version of the format this code does not read. */
  UNSUPPORTED_VERSION: "REPLAY_UNSUPPORTED_VERSION",
  /** The compressed body is damaged or cut short (its checksum or length does not match). */
  CORRUPT: "REPLAY_CORRUPT",
  /** The body inflates to more than the allowed size. */
  TOO_LARGE: "REPLAY_TOO_LARGE",
  /** The body decompressed but its content is not a valid replay (bad header, frames that do not add up). */
  INVALID: "REPLAY_INVALID",
} as const;
/** One of {@link ReplayErrorCode}'s values. */
export type ReplayErrorCode = (typeof ReplayErrorCode)[keyof typeof ReplayErrorCode];

/** Thrown when bytes are not a readable replay document. */
export class ReplayFormatError extends Error {
  readonly code: ReplayErrorCode;

  constructor(code: ReplayErrorCode, message: string) {
    super(message);
    this.name = "ReplayFormatError";
    this.code = code;
  }
}

/** One player who held a seat during the match, with when they joined and left. */
export interface ReplayParticipant {
  readonly uid: string;
  readonly name: string;
  readonly role: string;
  readonly slot: number;
  /** First frame the player was part of (the start frame for players seated at the start). */
  readonly joined_frame: number;
  /** ISO time the player took the seat. */
  readonly joined_at: string;
  /** The frame in which the player's `LEFT` event is, or null if the player stayed to the end. */
  readonly left_frame: number | null;
  readonly left_at: string | null;
  readonly left_reason: "left" | "kicked" | null;
}

/** One checked frame on which every player's state hash agreed. */
export interface ReplayChecksum {
  readonly frame: number;
  /** The whole-state hash, as {@link wholeStateHash} writes it. */
  readonly hash: string;
}

/** A state the server verified during the match (every player's hash agreed on it), kept so playback can seek from it. */
export interface ReplaySnapshot {
  /** The state is the one after this frame. */
  readonly frame: number;
  /** The game state as JSON text, exactly as the players' snapshot uploads gave it (what `run`'s `load` receives, parsed). */
  readonly state: string;
}

/** Everything about a replay but its frames (the document's JSON header). */
export interface ReplayHeader {
  /** The replay's id (the match's id: one per match, whichever processes ran it). */
  readonly id: string;
  readonly room_id: string;
  readonly room_name: string;
  readonly seed: number;
  readonly frame_rate: number;
  readonly start_frame: number;
  /** Every how many frames the players' hashes were compared (0: checksums were off). */
  readonly checksum_interval: number;
  /** The roster announced in `match_start`. */
  readonly players: readonly PlayerInfo[];
  /** Everyone who held a seat, in the order they took it. */
  readonly participants: readonly ReplayParticipant[];
  /** Room settings that affect play (see `LockstepRoom.replaySettings`). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly end_reason: MatchEndMessage["reason"];
  /** What `endMatch(result)` was given, as JSON. */
  readonly result: unknown;
  readonly started_at: string;
  readonly ended_at: string;
  /** Anyone logged in may list and download this replay (the room's `replaysPublic`). */
  readonly public: boolean;
  /** Frames whose hashes every player agreed on, in frame order. */
  readonly checksums: readonly ReplayChecksum[];
  /** Number of the last frame (`start_frame - 1` if no frame closed). */
  readonly last_frame: number;
  /**
   * Verified snapshots in frame order, spread over the match (see `MAX_REPLAY_SNAPSHOTS`); empty
   * without snapshots (`snapshotIntervalFrames`), absent in documents written before they were kept.
   */
  readonly snapshots?: readonly ReplaySnapshot[];
}

/** A whole replay: the header and every frame from `start_frame` to `last_frame`, in order. */
export interface ReplayDocument extends ReplayHeader {
  /** `frames[i]` is frame `start_frame + i`, exactly the bytes broadcast. */
  readonly frames: readonly Uint8Array[];
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Frame lengths per piece of {@link replayBodyPieces}: a piece is written in well under a millisecond. */
export const REPLAY_BODY_SLICE_FRAMES = 4096;
/** Frame bytes are handed over in pieces of about this size (a larger run of frames goes as it is, uncopied). */
const BYTES_PIECE = 64 * 1024;

/**
 * Consecutive frames stored back to back, as the frame log keeps them: `ends[i]` is where frame
 * `i` of the run ends in `bytes`. Frames given this way need no object each (a long match has
 * about 100,000), which keeps a writer's garbage collection short.
 */
export interface FrameBytesRun {
  readonly bytes: Uint8Array;
  readonly ends: ArrayLike<number>;
}

/** Frames, one run each (for callers that hold frames one by one). */
export function runsOfFrames(frames: readonly Uint8Array[]): FrameBytesRun[] {
  return frames.map((frame) => ({ bytes: frame, ends: [frame.byteLength] }));
}

/** How many frames `runs` hold. */
export function frameCountOf(runs: readonly FrameBytesRun[]): number {
  let count = 0;
  for (const run of runs) count += run.ends.length;
  return count;
}

/**
 * The uncompressed body of a replay document, in pieces: the header, the frames' lengths
 * {@link REPLAY_BODY_SLICE_FRAMES} at a time, then their bytes in pieces of about 64 KiB (a
 * larger run is handed over as it is), so a writer can yield to other work between pieces (a
 * one-hour match is about 100,000 frames).
 */
export function* replayBodyPieces(header: ReplayHeader, runs: readonly FrameBytesRun[]): Generator<Uint8Array> {
  const json = utf8Encoder.encode(JSON.stringify(header));
  yield new ByteWriter(json.byteLength + 16).varuint(json.byteLength).bytes(json).varuint(frameCountOf(runs)).toBytes();
  let lengths = new ByteWriter(REPLAY_BODY_SLICE_FRAMES * 2);
  let inPiece = 0;
  for (const run of runs) {
    let start = 0;
    for (let i = 0; i < run.ends.length; i++) {
      lengths.varuint(run.ends[i]! - start);
      start = run.ends[i]!;
      if (++inPiece === REPLAY_BODY_SLICE_FRAMES) {
        yield lengths.toBytes();
        lengths = new ByteWriter(REPLAY_BODY_SLICE_FRAMES * 2);
        inPiece = 0;
      }
    }
  }
  if (inPiece > 0) yield lengths.toBytes();
  let pending = new Uint8Array(BYTES_PIECE);
  let used = 0;
  for (const run of runs) {
    const bytes = run.ends.length === 0 ? run.bytes.subarray(0, 0) : run.bytes.subarray(0, run.ends[run.ends.length - 1]);
    if (used + bytes.byteLength > BYTES_PIECE && used > 0) {
      yield pending.subarray(0, used);
      pending = new Uint8Array(BYTES_PIECE);
      used = 0;
    }
    if (bytes.byteLength >= BYTES_PIECE) {
      yield bytes;
      continue;
    }
    pending.set(bytes, used);
    used += bytes.byteLength;
  }
  if (used > 0) yield pending.subarray(0, used);
}

/** Writes the uncompressed body of a replay document at once (see {@link replayBodyPieces}). */
export function encodeReplayBody(header: ReplayHeader, frames: readonly Uint8Array[]): Uint8Array {
  return concatBytes([...replayBodyPieces(header, runsOfFrames(frames))], true);
}

/** The document's first bytes: magic and version. */
export function replayPreamble(): Uint8Array {
  return Uint8Array.of(...REPLAY_MAGIC, REPLAY_FORMAT_VERSION);
}

/** Reads an uncompressed body; throws {@link ReplayFormatError} (`INVALID`) if it does not add up. */
export function decodeReplayBody(body: Uint8Array): ReplayDocument {
  try {
    const reader = new ByteReader(body);
    const header = parseHeader(utf8Decoder.decode(reader.bytesView(reader.varuint())));
    const count = reader.varuint();
    if (count !== header.last_frame - header.start_frame + 1) {
      throw invalid(`the header says frames ${header.start_frame}..${header.last_frame} but the body holds ${count}`);
    }
    // Each length takes at least one byte: a count larger than the rest of the body is a lie.
    if (count > body.byteLength - reader.offset) throw invalid(`${count} frames cannot fit in ${body.byteLength - reader.offset} bytes`);
    const lengths = new Array<number>(count);
    for (let i = 0; i < count; i++) lengths[i] = reader.varuint();
    const frames = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) frames[i] = reader.bytesView(lengths[i]!);
    reader.expectEnd();
    return { ...header, frames };
  } catch (error) {
    if (error instanceof ReplayFormatError) throw error;
    throw invalid((error as Error).message);
  }
}

/**
 * Reads a replay document: checks magic and version, inflates the body with the platform's
 * `DecompressionStream` (browsers and Node), stopping past `maxBodyBytes`, and decodes it.
 * Throws {@link ReplayFormatError} with a code saying what is wrong.
 */
export async function readReplayDocument(bytes: Uint8Array, maxBodyBytes = MAX_REPLAY_BODY_BYTES): Promise<ReplayDocument> {
  const preamble = REPLAY_MAGIC.length + 1;
  if (bytes.byteLength < preamble || REPLAY_MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new ReplayFormatError(ReplayErrorCode.NOT_A_REPLAY, "these bytes are not a replay document (no LSRP magic)");
  }
  const version = bytes[REPLAY_MAGIC.length]!;
  if (version !== REPLAY_FORMAT_VERSION) {
    throw new ReplayFormatError(
      ReplayErrorCode.UNSUPPORTED_VERSION,
      `replay format version ${version} is not supported (this reader reads ${REPLAY_FORMAT_VERSION})`,
    );
  }
  return decodeReplayBody(await gunzip(bytes.subarray(preamble), maxBodyBytes));
}

/**
 * A state hash as one string: the hash itself, or `name:hash` of every part in name order,
 * comma-separated. The server records agreed checksums in this form, so a replay's player can
 * compare the hashes a game computes against them.
 */
export function wholeStateHash(parts: ReadonlyMap<string, string>): string {
  if (parts.size === 1 && parts.has("")) return parts.get("")!;
  return [...parts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, hash]) => `${name}:${hash}`)
    .join(",");
}

async function gunzip(compressed: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  let body: Uint8Array | undefined;
  try {
    body = await readBounded(new Blob([compressed as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip")), maxBytes);
  } catch (error) {
    // Browsers and Node word (or leave empty) the inflater's error differently: say what is known.
    const cause = error as { message?: string; code?: string; name?: string };
    throw new ReplayFormatError(
      ReplayErrorCode.CORRUPT,
      `the replay is damaged or truncated (${cause.message || cause.code || cause.name || "inflate failed"})`,
    );
  }
  if (body === undefined) throw new ReplayFormatError(ReplayErrorCode.TOO_LARGE, `the replay inflates to more than ${maxBytes} bytes`);
  return body;
}

function invalid(message: string): ReplayFormatError {
  return new ReplayFormatError(ReplayErrorCode.INVALID, `not a valid replay: ${message}`);
}

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);
const isString = (value: unknown): value is string => typeof value === "string";

/** Checks the fields a player of the replay relies on; the rest is carried as written. */
function parseHeader(text: string): ReplayHeader {
  const header = JSON.parse(text) as Partial<ReplayHeader> | null;
  if (typeof header !== "object" || header === null) throw invalid("the header is not an object");
  for (const name of ["id", "room_id", "room_name", "started_at", "ended_at", "end_reason"] as const) {
    if (!isString(header[name])) throw invalid(`the header's ${name} is not a string`);
  }
  for (const name of ["seed", "frame_rate", "start_frame", "checksum_interval", "last_frame"] as const) {
    if (!isInteger(header[name])) throw invalid(`the header's ${name} is not an integer`);
  }
  if (header.frame_rate! < 1) throw invalid("the frame rate must be at least 1");
  if (header.last_frame! < header.start_frame! - 1) throw invalid("the last frame is before the start frame");
  if (!Array.isArray(header.players) || !Array.isArray(header.participants) || !Array.isArray(header.checksums)) {
    throw invalid("players, participants and checksums must be arrays");
  }
  for (const player of [...header.players, ...header.participants]) {
    if (typeof player !== "object" || player === null || !isString(player.uid) || !isInteger(player.slot)) {
      throw invalid("every player needs a uid and a slot");
    }
  }
  for (const checksum of header.checksums) {
    if (typeof checksum !== "object" || checksum === null || !isInteger(checksum.frame) || !isString(checksum.hash)) {
      throw invalid("every checksum needs a frame and a hash");
    }
  }
  checkSnapshots(header as ReplayHeader);
  return header as ReplayHeader;
}

/** Snapshots, when present, are states after frames of the match, each a string, in increasing frame order. */
function checkSnapshots(header: ReplayHeader): void {
  const snapshots: unknown = header.snapshots;
  if (snapshots === undefined) return;
  if (!Array.isArray(snapshots)) throw invalid("snapshots must be an array");
  let previous = header.start_frame - 1;
  for (const snapshot of snapshots as Partial<ReplaySnapshot>[]) {
    if (typeof snapshot !== "object" || snapshot === null || !isInteger(snapshot.frame) || !isString(snapshot.state)) {
      throw invalid("every snapshot needs a frame and a state");
    }
    if (snapshot.frame <= previous || snapshot.frame > header.last_frame) {
      throw invalid(`snapshot of frame ${snapshot.frame} is out of order or outside frames ${header.start_frame}..${header.last_frame}`);
    }
    previous = snapshot.frame;
  }
}
