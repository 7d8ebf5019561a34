/**
 * Bytes per storage block. Frames are copied back to back into blocks of this size, so a
 * frame costs its own bytes plus a 4-byte offset instead of a typed-array object each
 * (~100 bytes of V8 overhead), and a run of frames is one contiguous copy when reloaded.
 */
export const DEFAULT_LOG_BLOCK_BYTES = 64 * 1024;

/** What happens when appending a frame would make the log retain more than its bound. */
export type LogOverflowPolicy = "evict-oldest" | "end-match";

/** Construction options of {@link FrameLog}. */
export interface FrameLogOptions {
  /** Number of the first frame that will be appended. */
  readonly firstFrame: number;
  /** Upper bound on retained memory (blocks allocated), in bytes. */
  readonly maxBytes: number;
  /** Size of a storage block; frames larger than this get a block of their own. */
  readonly blockBytes?: number;
}

/** A run of consecutive frames stored contiguously. */
export interface FrameRun {
  readonly firstFrame: number;
  /** The frames' bytes, back to back (a view into the log: do not modify). */
  readonly bytes: Uint8Array;
  /** `ends[i]` is the end offset, within `bytes`, of frame `firstFrame + i`. */
  readonly ends: Uint32Array;
}

interface Block {
  readonly firstFrame: number;
  readonly bytes: Uint8Array;
  used: number;
  count: number;
  ends: Uint32Array;
}

const INITIAL_ENDS_CAPACITY = 256;

/**
 * The append-only log of encoded frames, bounded in memory. Frame numbers are consecutive;
 * the bytes stored are exactly the bytes that were broadcast, so a reload reproduces the live
 * stream. When the bound is reached, the oldest block is dropped (policy `evict-oldest`) and
 * {@link firstFrame} moves forward; `canAppend` lets the owner apply the `end-match` policy instead.
 */
export class FrameLog {
  readonly maxBytes: number;
  readonly blockBytes: number;
  readonly #blocks: Block[] = [];
  #nextFrame: number;
  #firstFrame: number;
  #retainedBytes = 0;
  #storedBytes = 0;

  constructor(options: FrameLogOptions) {
    this.maxBytes = options.maxBytes;
    this.blockBytes = options.blockBytes ?? DEFAULT_LOG_BLOCK_BYTES;
    this.#nextFrame = options.firstFrame;
    this.#firstFrame = options.firstFrame;
  }

  /** Oldest frame still kept. Equal to {@link nextFrame} when the log is empty. */
  get firstFrame(): number {
    return this.#firstFrame;
  }

  /** The number the next appended frame gets. */
  get nextFrame(): number {
    return this.#nextFrame;
  }

  /** Newest frame kept (`firstFrame - 1` when empty). */
  get lastFrame(): number {
    return this.#nextFrame - 1;
  }

  /** Number of frames kept. */
  get size(): number {
    return this.#nextFrame - this.#firstFrame;
  }

  /** Bytes of frames kept (payload only). */
  get storedBytes(): number {
    return this.#storedBytes;
  }

  /** Bytes held in memory by the log's blocks and offset tables. */
  get retainedBytes(): number {
    return this.#retainedBytes;
  }

  /** True if a frame of `byteLength` bytes fits without evicting anything. */
  canAppend(byteLength: number): boolean {
    const tail = this.#blocks[this.#blocks.length - 1];
    if (tail !== undefined && tail.used + byteLength <= tail.bytes.byteLength) return true;
    return this.#retainedBytes + this.#blockCost(byteLength) <= this.maxBytes;
  }

  /**
   * Stores the next frame (a copy of `bytes`) and returns the stored view, which stays valid
   * and unchanged for as long as the frame is kept. Evicts the oldest blocks if needed.
   */
  append(bytes: Uint8Array): Uint8Array {
    let block = this.#blocks[this.#blocks.length - 1];
    if (block === undefined || block.used + bytes.byteLength > block.bytes.byteLength) {
      block = this.#openBlock(bytes.byteLength);
    }
    if (block.count === block.ends.length) {
      const grown = new Uint32Array(block.ends.length * 2);
      grown.set(block.ends);
      this.#retainedBytes += grown.byteLength - block.ends.byteLength;
      block.ends = grown;
    }
    const start = block.used;
    block.bytes.set(bytes, start);
    block.used += bytes.byteLength;
    block.ends[block.count++] = block.used;
    this.#nextFrame++;
    this.#storedBytes += bytes.byteLength;
    return block.bytes.subarray(start, block.used);
  }

  /** The stored bytes of `frame`, or undefined if it is not kept. */
  get(frame: number): Uint8Array | undefined {
    if (frame < this.#firstFrame || frame >= this.#nextFrame) return undefined;
    const block = this.#blockOf(frame);
    const index = frame - block.firstFrame;
    const start = index === 0 ? 0 : block.ends[index - 1]!;
    return block.bytes.subarray(start, block.ends[index]!);
  }

  /**
   * The frames `start..end` (inclusive) as contiguous runs, in order (one run per storage
   * block touched). The caller checks the range against {@link firstFrame} and {@link lastFrame}.
   */
  runs(start: number, end: number): FrameRun[] {
    if (start < this.#firstFrame || end >= this.#nextFrame || end < start) {
      throw new RangeError(`frames ${start}..${end} are not all in the log (${this.#firstFrame}..${this.lastFrame})`);
    }
    const runs: FrameRun[] = [];
    let frame = start;
    while (frame <= end) {
      const block = this.#blockOf(frame);
      const first = frame - block.firstFrame;
      const last = Math.min(end - block.firstFrame, block.count - 1);
      const byteStart = first === 0 ? 0 : block.ends[first - 1]!;
      const ends = block.ends.slice(first, last + 1);
      for (let i = 0; i < ends.length; i++) ends[i]! -= byteStart;
      runs.push({ firstFrame: frame, bytes: block.bytes.subarray(byteStart, block.ends[last]!), ends });
      frame = block.firstFrame + last + 1;
    }
    return runs;
  }

  #openBlock(frameBytes: number): Block {
    const cost = this.#blockCost(frameBytes);
    while (this.#blocks.length > 0 && this.#retainedBytes + cost > this.maxBytes) this.#evictOldest();
    const block: Block = {
      firstFrame: this.#nextFrame,
      bytes: new Uint8Array(Math.max(this.blockBytes, frameBytes)),
      used: 0,
      count: 0,
      ends: new Uint32Array(INITIAL_ENDS_CAPACITY),
    };
    this.#blocks.push(block);
    this.#retainedBytes += cost;
    return block;
  }

  #evictOldest(): void {
    const block = this.#blocks.shift()!;
    this.#retainedBytes -= block.bytes.byteLength + block.ends.byteLength;
    this.#storedBytes -= block.used;
    this.#firstFrame = block.firstFrame + block.count;
  }

  #blockCost(frameBytes: number): number {
    return Math.max(this.blockBytes, frameBytes) + INITIAL_ENDS_CAPACITY * Uint32Array.BYTES_PER_ELEMENT;
  }

  #blockOf(frame: number): Block {
    const blocks = this.#blocks;
    let low = 0;
    let high = blocks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (blocks[middle]!.firstFrame <= frame) low = middle;
      else high = middle - 1;
    }
    return blocks[low]!;
  }
}
