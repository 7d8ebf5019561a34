import { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";

/**
 * Arrays and maps nested deeper than this are refused: game inputs are a few levels deep, and
 * a bound keeps every later recursive walk (decoding, schema checks, hashing) shallow.
 */
export const MAX_PLAIN_DEPTH = 32;

/** `__proto__` as UTF-8: a map key that would reach an object's prototype if assigned naively. */
const PROTO_KEY = Uint8Array.of(0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f);

/** msgpackr's extension type of a record definition ("r"). */
const RECORD_EXTENSION = 0x72;
/** msgpackr's extension type for `undefined` (with one filler byte). */
const UNDEFINED_EXTENSION = 0x00;
/** Record ids msgpackr gives the structures it defines inside one message: 0x40..0x7f. */
const FIRST_RECORD_ID = 0x40;
const RECORD_IDS = 64;

/** What {@link assertPlainMsgpack} accepts besides standard msgpack. */
export interface PlainMsgpackOptions {
  /**
   * Also accept what msgpackr's default encoder (the one `@colyseus/sdk` sends with) writes for
   * plain objects and `undefined`: record definitions and references defined within the same
   * message (one-byte ids), and the `undefined` extension. They decode to plain objects and
   * `undefined`. Off by default: the project's own action codec writes standard msgpack only.
   */
  readonly msgpackrRecords?: boolean;
  /** Deepest nesting accepted (default {@link MAX_PLAIN_DEPTH}). */
  readonly maxDepth?: number;
}

function fail(code: ProtocolErrorCode, message: string): never {
  throw new ProtocolError(code, message);
}

/**
 * Walks msgpack bytes without building anything. One instance is reused for every check (the
 * protocol module is single-threaded per realm and the walk never re-enters), so checking a
 * message allocates nothing.
 */
class PlainScanner {
  /** Values still to read in the container open at each depth (depth 0: the top value). */
  #remaining = new Float64Array(MAX_PLAIN_DEPTH + 1);
  /** Bit 0: the container at this depth is a map; bit 1: its next value is a key. */
  #flags = new Uint8Array(MAX_PLAIN_DEPTH + 1);
  /** Number of keys of each record structure defined so far in this message (-1: none). */
  readonly #recordKeys = new Int32Array(RECORD_IDS);
  #records = false;
  #bytes: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #end = 0;

  scan(bytes: Uint8Array, start: number, end: number, maxDepth: number, records: boolean): void {
    if (maxDepth + 1 > this.#remaining.length) {
      this.#remaining = new Float64Array(maxDepth + 1);
      this.#flags = new Uint8Array(maxDepth + 1);
    }
    this.#bytes = bytes;
    this.#offset = start;
    this.#end = end;
    this.#records = records;
    if (records) this.#recordKeys.fill(-1);
    try {
      this.#walk(maxDepth);
      if (this.#offset !== end) fail(ProtocolErrorCode.TRAILING_BYTES, `${end - this.#offset} bytes after the msgpack value`);
    } finally {
      this.#bytes = PlainScanner.#EMPTY;
    }
  }

  static readonly #EMPTY = new Uint8Array(0);

  #walk(maxDepth: number): void {
    const bytes = this.#bytes;
    const remaining = this.#remaining;
    const flags = this.#flags;
    let depth = 0;
    remaining[0] = 1;
    flags[0] = 0;
    while (depth >= 0) {
      if (remaining[depth] === 0) {
        depth--;
        continue;
      }
      remaining[depth]!--;
      const asKey = (flags[depth]! & 2) !== 0;
      if ((flags[depth]! & 1) !== 0) flags[depth]! ^= 2;

      this.#need(1);
      const token = bytes[this.#offset++]!;
      let count = -1;
      let map = false;
      if (token >= FIRST_RECORD_ID && token <= 0x7f && this.#records && this.#recordKeys[token - FIRST_RECORD_ID]! >= 0) {
        // A reference to a record structure defined earlier in this message: its values follow.
        if (asKey) fail(ProtocolErrorCode.NOT_PLAIN_DATA, "a map key must be a string or an integer");
        count = this.#recordKeys[token - FIRST_RECORD_ID]!;
      } else if (token <= 0x7f || token >= 0xe0) {
        continue; // positive or negative fixint
      } else if (token === 0xd4 && this.#records && !asKey) {
        // fixext 1: only msgpackr's record definition and `undefined` are plain data.
        this.#need(2);
        const type = bytes[this.#offset]!;
        const data = bytes[this.#offset + 1]!;
        this.#offset += 2;
        if (type === UNDEFINED_EXTENSION) continue;
        if (type !== RECORD_EXTENSION || data < FIRST_RECORD_ID || data > 0x7f)
          fail(ProtocolErrorCode.NOT_PLAIN_DATA, `msgpack extension ${type} is not plain data`);
        count = this.#recordDefinition(data - FIRST_RECORD_ID);
      }
      if (count >= 0) {
        // A record's values, like an array's items.
        if (count > this.#end - this.#offset) fail(ProtocolErrorCode.TRUNCATED, `record of ${count} values in ${this.#end - this.#offset} bytes`);
        if (count === 0) continue;
        if (depth === maxDepth) fail(ProtocolErrorCode.TOO_DEEP, `msgpack nested deeper than ${maxDepth} levels`);
        depth++;
        remaining[depth] = count;
        flags[depth] = 0;
        continue;
      }
      if (token <= 0xbf && token >= 0xa0) {
        this.#string(token & 0x1f, asKey);
        continue;
      }
      if (asKey && !(token >= 0xcc && token <= 0xd3) && !(token >= 0xd9 && token <= 0xdb)) {
        fail(ProtocolErrorCode.NOT_PLAIN_DATA, "a map key must be a string or an integer");
      }
      if (token <= 0x9f) {
        count = token & 0x0f;
        map = token <= 0x8f;
      } else {
        switch (token) {
          case 0xc0: // nil
          case 0xc2: // false
          case 0xc3: // true
            continue;
          case 0xc4:
            this.#skip(this.#length(1));
            continue; // bin 8
          case 0xc5:
            this.#skip(this.#length(2));
            continue; // bin 16
          case 0xc6:
            this.#skip(this.#length(4));
            continue; // bin 32
          case 0xca:
            this.#float(4);
            continue;
          case 0xcb:
            this.#float(8);
            continue;
          case 0xcc:
          case 0xd0:
            this.#skip(1);
            continue; // (u)int 8
          case 0xcd:
          case 0xd1:
            this.#skip(2);
            continue; // (u)int 16
          case 0xce:
          case 0xd2:
            this.#skip(4);
            continue; // (u)int 32
          case 0xcf:
          case 0xd3:
            this.#skip(8);
            continue; // (u)int 64
          case 0xd9:
            this.#string(this.#length(1), asKey);
            continue;
          case 0xda:
            this.#string(this.#length(2), asKey);
            continue;
          case 0xdb:
            this.#string(this.#length(4), asKey);
            continue;
          case 0xdc:
            count = this.#length(2);
            break; // array 16
          case 0xdd:
            count = this.#length(4);
            break; // array 32
          case 0xde:
            count = this.#length(2);
            map = true;
            break; // map 16
          case 0xdf:
            count = this.#length(4);
            map = true;
            break; // map 32
          default: // 0xc1 (reserved), 0xc7-0xc9 and 0xd4-0xd8 (extensions)
            fail(ProtocolErrorCode.NOT_PLAIN_DATA, `msgpack type 0x${token.toString(16)} is not plain data`);
        }
      }
      const items = map ? count * 2 : count;
      // Every item takes at least one byte: a count beyond the bytes left is refused before any work.
      if (items > this.#end - this.#offset)
        fail(ProtocolErrorCode.TRUNCATED, `${map ? "map" : "array"} of ${count} entries in ${this.#end - this.#offset} bytes`);
      if (items === 0) continue;
      if (depth === maxDepth) fail(ProtocolErrorCode.TOO_DEEP, `msgpack nested deeper than ${maxDepth} levels`);
      depth++;
      remaining[depth] = items;
      flags[depth] = map ? 3 : 0;
    }
  }

  /** Reads a record definition's key list (strings only) and returns its length. */
  #recordDefinition(id: number): number {
    this.#need(1);
    const token = this.#bytes[this.#offset++]!;
    let keys: number;
    if (token >= 0x90 && token <= 0x9f) keys = token & 0x0f;
    else if (token === 0xdc) keys = this.#length(2);
    else fail(ProtocolErrorCode.NOT_PLAIN_DATA, "a record definition must list its keys in an array");
    if (keys > this.#end - this.#offset) fail(ProtocolErrorCode.TRUNCATED, `record of ${keys} keys in ${this.#end - this.#offset} bytes`);
    for (let i = 0; i < keys; i++) {
      this.#need(1);
      const key = this.#bytes[this.#offset++]!;
      if (key >= 0xa0 && key <= 0xbf) this.#string(key & 0x1f, true);
      else if (key === 0xd9) this.#string(this.#length(1), true);
      else if (key === 0xda) this.#string(this.#length(2), true);
      else fail(ProtocolErrorCode.NOT_PLAIN_DATA, "a record key must be a string");
    }
    this.#recordKeys[id] = keys;
    return keys;
  }

  #need(count: number): void {
    if (count > this.#end - this.#offset) fail(ProtocolErrorCode.TRUNCATED, `msgpack value cut off at offset ${this.#offset}`);
  }

  #skip(count: number): void {
    this.#need(count);
    this.#offset += count;
  }

  /** Reads a big-endian length of `size` bytes. */
  #length(size: 1 | 2 | 4): number {
    this.#need(size);
    const bytes = this.#bytes;
    const at = this.#offset;
    this.#offset += size;
    if (size === 1) return bytes[at]!;
    if (size === 2) return (bytes[at]! << 8) | bytes[at + 1]!;
    return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
  }

  /** A float is non-finite exactly when its exponent bits are all ones. */
  #float(size: 4 | 8): void {
    this.#need(size);
    const high = this.#bytes[this.#offset]!;
    const next = this.#bytes[this.#offset + 1]!;
    const exponentAllOnes = (high & 0x7f) === 0x7f && (size === 4 ? (next & 0x80) === 0x80 : (next & 0xf0) === 0xf0);
    if (exponentAllOnes) fail(ProtocolErrorCode.NOT_PLAIN_DATA, "NaN and infinities are not plain data");
    this.#offset += size;
  }

  #string(length: number, asKey: boolean): void {
    this.#need(length);
    if (asKey && length === PROTO_KEY.length) {
      let same = true;
      for (let i = 0; i < length && same; i++) same = this.#bytes[this.#offset + i] === PROTO_KEY[i];
      if (same) fail(ProtocolErrorCode.NOT_PLAIN_DATA, "a map key may not be __proto__");
    }
    this.#offset += length;
  }
}

const scanner = new PlainScanner();

/**
 * Checks, without building any object, that `bytes[start..end)` holds exactly one msgpack
 * value made of plain data only: nil, booleans, integers, finite floats, strings, binary,
 * arrays, and maps whose keys are strings or integers, nested at most `maxDepth` levels.
 * Everything else throws a {@link ProtocolError}: extension types (msgpackr builds cycles,
 * dates, sets, typed arrays, errors and regular expressions from them), the reserved byte
 * 0xc1, NaN and infinities, other map keys, `__proto__` keys, truncation, trailing bytes.
 *
 * Bytes that pass decode (with msgpackr) into acyclic plain values: safe to hand to a
 * decoder, a schema or a hash. The walk is iterative: a hostile depth cannot grow the stack.
 */
export function assertPlainMsgpack(bytes: Uint8Array, start = 0, end = bytes.byteLength, options: PlainMsgpackOptions = {}): void {
  scanner.scan(bytes, start, end, options.maxDepth ?? MAX_PLAIN_DEPTH, options.msgpackrRecords ?? false);
}
