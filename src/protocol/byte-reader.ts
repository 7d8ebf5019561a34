import { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";

/** A varint of 2^53 - 1 needs 8 bytes; anything longer is malformed. */
const MAX_VARUINT_BYTES = 8;

/**
 * Reads the protocol's primitive values from a byte range, checking bounds on every read:
 * malformed input raises a {@link ProtocolError}, never an out-of-range read.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly end: number;
  #offset: number;

  constructor(bytes: Uint8Array, start: number = 0, end: number = bytes.byteLength) {
    this.bytes = bytes;
    this.#offset = start;
    this.end = end;
  }

  /** Position of the next byte to read. */
  get offset(): number {
    return this.#offset;
  }

  /** True once every byte of the range has been read. */
  get done(): boolean {
    return this.#offset >= this.end;
  }

  /** Reads one byte. */
  u8(): number {
    if (this.#offset >= this.end) {
      throw new ProtocolError(ProtocolErrorCode.TRUNCATED, `expected a byte at offset ${this.#offset}`);
    }
    return this.bytes[this.#offset++]!;
  }

  /** Reads an unsigned LEB128 varint (see `ByteWriter.varuint`). */
  varuint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARUINT_BYTES; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) break;
        return result;
      }
      scale *= 128;
    }
    throw new ProtocolError(ProtocolErrorCode.VARINT_OVERFLOW, `varint too long at offset ${this.#offset}`);
  }

  /** Returns the next `length` bytes as a view into the input (no copy). */
  bytesView(length: number): Uint8Array {
    if (length > this.end - this.#offset) {
      throw new ProtocolError(ProtocolErrorCode.TRUNCATED, `expected ${length} bytes at offset ${this.#offset}, only ${this.end - this.#offset} left`);
    }
    const view = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return view;
  }

  /** Throws unless the whole range has been consumed. */
  expectEnd(): void {
    if (this.#offset !== this.end) {
      throw new ProtocolError(ProtocolErrorCode.TRAILING_BYTES, `${this.end - this.#offset} unexpected trailing bytes`);
    }
  }
}
