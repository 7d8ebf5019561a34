/** Bytes a fresh {@link ByteWriter} reserves: enough for an empty frame or a small chunk header. */
const DEFAULT_INITIAL_CAPACITY = 256;

/** 2^53 - 1: the largest integer a JavaScript number holds exactly, so the largest varint we write. */
export const MAX_VARUINT = Number.MAX_SAFE_INTEGER;

/**
 * An append-only byte buffer that grows by doubling. Reused across messages with
 * {@link ByteWriter.reset} so the hot path allocates only when a message is larger than any before it.
 */
export class ByteWriter {
  #buffer: Uint8Array;
  #length = 0;

  constructor(initialCapacity: number = DEFAULT_INITIAL_CAPACITY) {
    this.#buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bytes written since the last reset. */
  get length(): number {
    return this.#length;
  }

  /** Forgets what was written; keeps the allocated memory. */
  reset(): this {
    this.#length = 0;
    return this;
  }

  /** Appends one byte (0..255). */
  u8(value: number): this {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
    return this;
  }

  /**
   * Appends an unsigned LEB128 varint: 7 bits per byte, low bits first, high bit set on every
   * byte but the last. Values below 128 take one byte, below 16,384 two.
   */
  varuint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > MAX_VARUINT) {
      throw new RangeError(`varuint out of range: ${value}`);
    }
    this.#reserve(8);
    const buffer = this.#buffer;
    let offset = this.#length;
    // Bit operators work on 32-bit integers, so large values are split with arithmetic first.
    while (value >= 0x80000000) {
      buffer[offset++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    while (value >= 0x80) {
      buffer[offset++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[offset++] = value;
    this.#length = offset;
    return this;
  }

  /** Appends raw bytes. */
  bytes(bytes: Uint8Array): this {
    this.#reserve(bytes.byteLength);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.byteLength;
    return this;
  }

  /** The written bytes as a view into this writer's memory: valid only until the next write or reset. */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** A copy of the written bytes that the caller owns. */
  toBytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.byteLength) return;
    let capacity = this.#buffer.byteLength * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}

/** Number of bytes {@link ByteWriter.varuint} uses for `value`. */
export function varuintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}
