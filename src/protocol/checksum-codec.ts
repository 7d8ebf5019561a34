import { ByteReader } from "./byte-reader.ts";
import { ByteWriter } from "./byte-writer.ts";
import { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";

/** Most named parts in one checksum: a state is split into a handful of parts, not hundreds. */
export const MAX_CHECKSUM_PARTS = 32;
/** Longest part name, in bytes. */
export const MAX_PART_NAME_BYTES = 64;
/** Longest hash, in bytes (`hashState` gives 16; a SHA-256 in hex is 64). */
export const MAX_HASH_BYTES = 64;
/** Bytes of dump in one `state_dump` message: with its header it stays under the server's 4 KiB message limit. */
export const STATE_DUMP_CHUNK_BYTES = 3 * 1024;
/** Most chunks one dump may be split into (a 1 MiB dump at most). */
export const MAX_STATE_DUMP_CHUNKS = 342;

/** The hash of a state: one value, or one per named part (`{ players, coins, rng }`). */
export type StateHash = string | Readonly<Record<string, string>>;

/** A decoded `sync_checksum`: the hash of the sender's state after stepping `frame`. */
export interface Checksum {
  readonly frame: number;
  /** Part name → hash, sorted by name; a state hashed as one value has the single part `""`. */
  readonly parts: ReadonlyMap<string, string>;
}

/** How a dump is encoded. */
export const StateDumpFormat = {
  JSON: 0,
  MSGPACK: 1,
} as const;

/** One of {@link StateDumpFormat}'s values. */
export type StateDumpFormat = (typeof StateDumpFormat)[keyof typeof StateDumpFormat];

/** A decoded `state_dump` chunk. */
export interface StateDumpChunk {
  readonly frame: number;
  /** 0-based index of this chunk. */
  readonly index: number;
  /** How many chunks the dump has. */
  readonly count: number;
  readonly format: StateDumpFormat;
  /** This chunk's bytes of the encoded dump (a view into the message). */
  readonly bytes: Uint8Array;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** Hashes are printable tokens: hex, base64 or base32 digits (they end up in reports read by people). */
const HASH_PATTERN = /^[0-9A-Za-z+/=_-]+$/;
/** Part names are printable ASCII without quotes or backslashes, so a report shows them as written. */
const PART_NAME_PATTERN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

function invalid(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.INVALID_VALUE, message);
}

/** The parts of a {@link StateHash}, checked and sorted by name. Throws a `ProtocolError` on a hash the server would refuse. */
export function checksumParts(hash: StateHash): Map<string, string> {
  const entries = typeof hash === "string" ? [["", hash] as const] : Object.entries(hash);
  if (entries.length === 0) throw invalid("a state hash needs at least one part");
  if (entries.length > MAX_CHECKSUM_PARTS) throw invalid(`at most ${MAX_CHECKSUM_PARTS} hash parts, got ${entries.length}`);
  const parts = new Map<string, string>();
  for (const [name, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    checkPart(name, value);
    parts.set(name, value);
  }
  return parts;
}

function checkPart(name: string, value: unknown): void {
  if (typeof value !== "string") throw invalid(`the hash of part "${name}" is not a string`);
  if (name.length > MAX_PART_NAME_BYTES || !PART_NAME_PATTERN.test(name)) throw invalid(`part name "${name.slice(0, 80)}" is not allowed`);
  if (value.length === 0 || value.length > MAX_HASH_BYTES || !HASH_PATTERN.test(value)) {
    throw invalid(`the hash of part "${name}" must be 1..${MAX_HASH_BYTES} hex, base64 or base32 characters`);
  }
}

/**
 * Encodes `sync_checksum` (binary type 4): `[varuint frame][varuint part count]`, then per part,
 * sorted by name, `[varuint name length][name][varuint hash length][hash]` (ASCII).
 */
export function encodeChecksum(frame: number, hash: StateHash): Uint8Array {
  const writer = new ByteWriter(64).varuint(frame);
  const parts = checksumParts(hash);
  writer.varuint(parts.size);
  for (const [name, value] of parts) {
    const nameBytes = utf8.encode(name);
    const valueBytes = utf8.encode(value);
    writer.varuint(nameBytes.byteLength).bytes(nameBytes).varuint(valueBytes.byteLength).bytes(valueBytes);
  }
  return writer.toBytes();
}

/** Decodes `sync_checksum`. Throws a `ProtocolError` on anything malformed, over its bounds, unsorted or repeated. */
export function decodeChecksum(bytes: Uint8Array): Checksum {
  const reader = new ByteReader(bytes);
  const frame = reader.varuint();
  const count = reader.varuint();
  if (count === 0 || count > MAX_CHECKSUM_PARTS) throw invalid(`a checksum has 1..${MAX_CHECKSUM_PARTS} parts, got ${count}`);
  const parts = new Map<string, string>();
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const name = readText(reader, MAX_PART_NAME_BYTES, "part name");
    const value = readText(reader, MAX_HASH_BYTES, "hash");
    checkPart(name, value);
    // Sorted and unique: one state has one encoding, so equal states compare equal byte for byte.
    if (previous !== undefined && name <= previous) throw invalid(`hash parts must be sorted by name and unique ("${name}" after "${previous}")`);
    previous = name;
    parts.set(name, value);
  }
  reader.expectEnd();
  return { frame, parts };
}

function readText(reader: ByteReader, maxBytes: number, what: string): string {
  const length = reader.varuint();
  if (length > maxBytes) throw invalid(`${what} of ${length} bytes exceeds ${maxBytes}`);
  try {
    return strictUtf8.decode(reader.bytesView(length));
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw invalid(`${what} is not valid UTF-8`);
  }
}

/** Encodes one `state_dump` chunk (binary type 5): `[varuint frame][varuint index][varuint count][u8 format][bytes]`. */
export function encodeStateDumpChunk(chunk: StateDumpChunk): Uint8Array {
  return new ByteWriter(chunk.bytes.byteLength + 16)
    .varuint(chunk.frame)
    .varuint(chunk.index)
    .varuint(chunk.count)
    .varuint(chunk.format)
    .bytes(chunk.bytes)
    .toBytes();
}

/** Decodes one `state_dump` chunk. Throws a `ProtocolError` if it is malformed or over its bounds. */
export function decodeStateDumpChunk(bytes: Uint8Array): StateDumpChunk {
  const reader = new ByteReader(bytes);
  const frame = reader.varuint();
  const index = reader.varuint();
  const count = reader.varuint();
  const format = reader.u8();
  if (count === 0 || count > MAX_STATE_DUMP_CHUNKS) throw invalid(`a dump has 1..${MAX_STATE_DUMP_CHUNKS} chunks, got ${count}`);
  if (index >= count) throw invalid(`chunk ${index} of a dump of ${count}`);
  if (format !== StateDumpFormat.JSON && format !== StateDumpFormat.MSGPACK) throw invalid(`unknown dump format ${format}`);
  const body = reader.bytesView(reader.end - reader.offset);
  if (body.byteLength > STATE_DUMP_CHUNK_BYTES) throw invalid(`a dump chunk carries at most ${STATE_DUMP_CHUNK_BYTES} bytes, got ${body.byteLength}`);
  return { frame, index, count, format: format as StateDumpFormat, bytes: body };
}

/** Splits an encoded dump into `state_dump` messages. */
export function stateDumpMessages(frame: number, format: StateDumpFormat, encoded: Uint8Array): Uint8Array[] {
  const count = Math.max(1, Math.ceil(encoded.byteLength / STATE_DUMP_CHUNK_BYTES));
  if (count > MAX_STATE_DUMP_CHUNKS) throw new RangeError(`a dump of ${encoded.byteLength} bytes needs more than ${MAX_STATE_DUMP_CHUNKS} chunks`);
  const messages: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const bytes = encoded.subarray(index * STATE_DUMP_CHUNK_BYTES, (index + 1) * STATE_DUMP_CHUNK_BYTES);
    messages.push(encodeStateDumpChunk({ frame, index, count, format, bytes }));
  }
  return messages;
}
