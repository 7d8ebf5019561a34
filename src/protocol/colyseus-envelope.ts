import { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";

/**
 * The Colyseus 0.18 message codes a client may send (`@colyseus/shared-types` `Protocol`),
 * restated so the server can inspect a message before Colyseus dispatches it.
 */
export const ColyseusCode = {
  JOIN_ROOM: 10,
  LEAVE_ROOM: 12,
  ROOM_DATA: 13,
  ROOM_DATA_BYTES: 17,
  PING: 18,
  ROOM_INPUT_RELIABLE: 19,
  ROOM_INPUT_UNRELIABLE: 20,
  ROOM_REQUEST: 21,
} as const;

/** Bits 0..4 of a message's first byte carry the code; bits 5..7 are modifiers (Colyseus strips them). */
const CODE_MASK = 0x1f;

/** Message type names are identifiers: no honest client sends one longer than this. */
export const MAX_MESSAGE_TYPE_BYTES = 64;

/** Numeric types 0..255 as the string keys Colyseus files handlers under, made once. */
const SMALL_NUMBER_KEYS = Array.from({ length: 256 }, (_, n) => String(n));

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** What {@link readEnvelope} found; one instance is reused across messages. */
export class ColyseusEnvelope {
  /** The message code (modifier bits removed). */
  code = 0;
  /** The modifier bits of the first byte (no client message of a lockstep room sets any). */
  modifiers = 0;
  /** `ROOM_REQUEST` only: the id the reply must echo. */
  requestId: number | undefined = undefined;
  /** `ROOM_DATA`, `ROOM_REQUEST`, `ROOM_DATA_BYTES`: the type, as the key Colyseus files handlers under (numbers in decimal). */
  type: string | undefined = undefined;
  /** Offset of the payload (msgpack for data and requests, raw bytes for `ROOM_DATA_BYTES`); equal to the length when there is none. */
  payloadOffset = 0;
}

function fail(message: string): never {
  throw new ProtocolError(ProtocolErrorCode.INVALID_VALUE, message);
}

/** Little-endian unsigned read of `size` bytes at `at` (Colyseus's type and id encoding is little-endian). */
function readLittleEndian(bytes: Uint8Array, at: number, size: number): number {
  if (at + size > bytes.byteLength) throw new ProtocolError(ProtocolErrorCode.TRUNCATED, "message header cut off");
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  return value;
}

/** Scratch space to read little-endian floats without allocating. */
const floatBytes = new Uint8Array(8);
const float32 = new Float32Array(floatBytes.buffer, 0, 1);
const float64 = new Float64Array(floatBytes.buffer, 0, 1);
/** Little-endian hosts read the bytes as they come; others reverse them. */
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function readFloat(bytes: Uint8Array, at: number, size: 4 | 8): number {
  if (at + size > bytes.byteLength) throw new ProtocolError(ProtocolErrorCode.TRUNCATED, "message header cut off");
  for (let i = 0; i < size; i++) floatBytes[LITTLE_ENDIAN_HOST ? i : size - 1 - i] = bytes[at + i]!;
  return size === 4 ? float32[0]! : float64[0]!;
}

/**
 * Reads a number as `@colyseus/schema` encodes message types and request ids. Only unsigned
 * integers up to 2^32 - 1 are accepted (types and ids are never fractional); the encoder
 * writes integers of 2^31 and more as floats, which are accepted when integral.
 */
function readNumber(bytes: Uint8Array, at: number, out: { value: number; next: number }): void {
  if (at >= bytes.byteLength) throw new ProtocolError(ProtocolErrorCode.TRUNCATED, "message header cut off");
  const prefix = bytes[at]!;
  if (prefix < 0x80) {
    out.value = prefix;
    out.next = at + 1;
  } else if (prefix >= 0xcc && prefix <= 0xce) {
    const size = prefix === 0xcc ? 1 : prefix === 0xcd ? 2 : 4;
    out.value = readLittleEndian(bytes, at + 1, size);
    out.next = at + 1 + size;
  } else if (prefix === 0xca || prefix === 0xcb) {
    const size = prefix === 0xca ? 4 : 8;
    const value = readFloat(bytes, at + 1, size);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      fail(`a message type or request id must be an unsigned integer up to 32 bits (got ${value})`);
    out.value = value;
    out.next = at + 1 + size;
  } else {
    fail(`a message type or request id must be an unsigned integer up to 32 bits (prefix 0x${prefix.toString(16)})`);
  }
}

function readTypeString(bytes: Uint8Array, start: number, length: number): string {
  if (length === 0 || length > MAX_MESSAGE_TYPE_BYTES) fail(`a message type name must have 1 to ${MAX_MESSAGE_TYPE_BYTES} bytes`);
  if (start + length > bytes.byteLength) throw new ProtocolError(ProtocolErrorCode.TRUNCATED, "message type cut off");
  let ascii = true;
  for (let i = start; i < start + length && ascii; i++) ascii = bytes[i]! < 0x80;
  if (ascii) return String.fromCharCode(...bytes.subarray(start, start + length));
  try {
    return utf8.decode(bytes.subarray(start, start + length));
  } catch {
    return fail("a message type name must be valid UTF-8");
  }
}

const scratch = { value: 0, next: 0 };

/**
 * Reads the envelope of a message a client sent to a room: its code and, for data, requests
 * and raw bytes, its type and where the payload starts. Throws a {@link ProtocolError} for
 * anything a well-formed Colyseus client cannot produce (empty message, truncated header,
 * type that is neither a short string nor an unsigned integer). Does not look at the payload.
 *
 * ```text
 * ROOM_DATA        [13][type][msgpack payload?]
 * ROOM_REQUEST     [21][request id][type][msgpack payload?]
 * ROOM_DATA_BYTES  [17][type][raw bytes]
 * type             string: fixstr | 0xd9 u8 | 0xda u16le | 0xdb u32le, then UTF-8
 *                  number: fixint | 0xcc u8 | 0xcd u16le | 0xce u32le
 * ```
 */
export function readEnvelope(bytes: Uint8Array, envelope: ColyseusEnvelope): ColyseusEnvelope {
  if (bytes.byteLength === 0) fail("empty message");
  const code = bytes[0]! & CODE_MASK;
  envelope.code = code;
  envelope.modifiers = bytes[0]! & ~CODE_MASK;
  envelope.requestId = undefined;
  envelope.type = undefined;
  envelope.payloadOffset = bytes.byteLength;
  if (code !== ColyseusCode.ROOM_DATA && code !== ColyseusCode.ROOM_REQUEST && code !== ColyseusCode.ROOM_DATA_BYTES) return envelope;

  let at = 1;
  if (code === ColyseusCode.ROOM_REQUEST) {
    readNumber(bytes, at, scratch);
    envelope.requestId = scratch.value;
    at = scratch.next;
  }
  if (at >= bytes.byteLength) throw new ProtocolError(ProtocolErrorCode.TRUNCATED, "message type missing");
  const prefix = bytes[at]!;
  if (prefix >= 0xa0 && prefix <= 0xbf) {
    envelope.type = readTypeString(bytes, at + 1, prefix & 0x1f);
    at += 1 + (prefix & 0x1f);
  } else if (prefix === 0xd9 || prefix === 0xda || prefix === 0xdb) {
    const size = prefix === 0xd9 ? 1 : prefix === 0xda ? 2 : 4;
    const length = readLittleEndian(bytes, at + 1, size);
    envelope.type = readTypeString(bytes, at + 1 + size, length);
    at += 1 + size + length;
  } else {
    readNumber(bytes, at, scratch);
    envelope.type = scratch.value < SMALL_NUMBER_KEYS.length ? SMALL_NUMBER_KEYS[scratch.value] : String(scratch.value);
    at = scratch.next;
  }
  envelope.payloadOffset = at;
  return envelope;
}
