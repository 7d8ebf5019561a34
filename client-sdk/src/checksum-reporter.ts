import {
  MAX_STATE_DUMP_CHUNKS,
  STATE_DUMP_CHUNK_BYTES,
  StateDumpFormat,
  encodeChecksum,
  stateDumpMessages,
  type SnapshotRequest,
  type StateDumpRequest,
  type StateHash,
} from "../../src/protocol/index.ts";

/** Dumps of the last few checked frames are kept: the server asks within a second or two of a desync. */
const DUMPS_KEPT = 3;
/** Chunks sent back to back, then a pause: a 64 KiB dump goes out in about a quarter of a second without eating the player's message budget. */
const CHUNKS_PER_BURST = 8;
const BURST_PAUSE_MS = 50;

/** What `run()` checks (see the README's "Desyncs"). */
export interface ChecksumOptions {
  /** The hash of the game state after the frame just stepped: one value (`hashState(state)`), or one per named part. */
  readonly hash: () => StateHash;
  /** The state as plain data, uploaded (as JSON) when the server asks for it after a desync. Without it, the report has no dump of this player. */
  readonly dump?: () => unknown;
}

/** Where a reporter sends its messages, and what it must know of the match. */
export interface ChecksumChannel {
  sendChecksum(bytes: Uint8Array): void;
  sendDumpChunk(bytes: Uint8Array): void;
  /** Sends one chunk of a snapshot the server asked for. */
  sendSnapshotChunk?(bytes: Uint8Array): void;
  /** False while the connection is down or the match is not running: nothing is sent. */
  canSend(): boolean;
  /** The newest frame the server is known to have closed. */
  newestFrame(): number | undefined;
}

const utf8 = new TextEncoder();

/**
 * The client's side of desync detection: after every checked frame (a multiple of the match's
 * `checksum_interval`), hashes the state and sends it; keeps the state of the last few checked
 * frames as JSON so it can upload it, in paced chunks, when the server asks for a dump.
 * A frame stepped long after the server closed it (catching up after a reload) is not sent:
 * the server no longer waits for it, and would refuse it as too old.
 */
export class ChecksumReporter {
  readonly #interval: number;
  readonly #maxBehind: number;
  readonly #channel: ChecksumChannel;
  readonly #dumps = new Map<number, Uint8Array | undefined>();
  #lastChecked: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(interval: number, frameRate: number, channel: ChecksumChannel) {
    this.#interval = interval;
    // Half a second: well inside the server's acceptance window (twice `checksumWaitMs`, at least 2 s).
    this.#maxBehind = Math.max(1, Math.floor(frameRate / 2));
    this.#channel = channel;
  }

  /** The last frame whose hash was sent. */
  get lastChecked(): number | undefined {
    return this.#lastChecked;
  }

  /**
   * Frame `frame` was just stepped: if it is a checked frame, sends the state's hash (and keeps
   * its dump). Returns true if it sent one. `options` is only called when a hash is due.
   */
  check(frame: number, options: ChecksumOptions): boolean {
    if (this.#interval <= 0 || frame % this.#interval !== 0 || !this.#channel.canSend()) return false;
    const newest = this.#channel.newestFrame();
    if (newest !== undefined && newest - frame > this.#maxBehind) return false;
    this.#channel.sendChecksum(encodeChecksum(frame, options.hash()));
    this.#lastChecked = frame;
    if (options.dump !== undefined) this.#keepDump(frame, options.dump());
    return true;
  }

  /** The server asks for the state at `request.frame`: upload it if it was kept and fits. */
  onDumpRequest(request: StateDumpRequest): void {
    if (request.chunk_bytes < STATE_DUMP_CHUNK_BYTES) return;
    this.#upload(request.frame, request.max_bytes, (bytes) => this.#channel.sendDumpChunk(bytes));
  }

  /** The server asks for a snapshot of the state at `request.frame` (the kept state, as for a dump). */
  onSnapshotRequest(request: SnapshotRequest): void {
    const send = this.#channel.sendSnapshotChunk;
    if (send !== undefined) this.#upload(request.frame, request.max_bytes, (bytes) => send(bytes));
  }

  #upload(frame: number, maxBytes: number, send: (bytes: Uint8Array) => void): void {
    const encoded = this.#dumps.get(frame);
    if (encoded === undefined || encoded.byteLength > maxBytes) return;
    const messages = stateDumpMessages(frame, StateDumpFormat.JSON, encoded);
    let next = 0;
    const burst = (): void => {
      this.#timer = undefined;
      for (let sent = 0; sent < CHUNKS_PER_BURST && next < messages.length; sent++) {
        if (!this.#channel.canSend()) return;
        send(messages[next++]!);
      }
      if (next < messages.length) this.#timer = setTimeout(burst, BURST_PAUSE_MS);
    };
    clearTimeout(this.#timer);
    burst();
  }

  /** Stops a dump upload under way. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #keepDump(frame: number, state: unknown): void {
    let encoded: Uint8Array | undefined;
    try {
      encoded = utf8.encode(JSON.stringify(state));
    } catch {
      encoded = undefined;
    }
    if (encoded !== undefined && encoded.byteLength > MAX_STATE_DUMP_CHUNKS * STATE_DUMP_CHUNK_BYTES) encoded = undefined;
    this.#dumps.set(frame, encoded);
    for (const kept of this.#dumps.keys()) {
      if (this.#dumps.size <= DUMPS_KEPT) break;
      this.#dumps.delete(kept);
    }
  }
}
