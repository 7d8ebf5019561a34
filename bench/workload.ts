/** The benchmark workload: what every server under test is asked to carry. */
export interface Workload {
  /** Which server: this project's LockstepRoom, a stock Colyseus schema room, or a bare `ws` relay. */
  readonly target: "lockstep" | "schema" | "relay";
  readonly rooms: number;
  readonly roomSize: number;
  readonly frameRate: number;
  /** Size of each bot's input, sent every frame. */
  readonly inputBytes: number;
  /** Seconds of each measured window. */
  readonly seconds: number;
  /** Measured windows, one after the other on the same connections (this machine is noisy: one window proves little). */
  readonly windows: number;
  readonly warmupSeconds: number;
  /**
   * LockstepRoom only: bots send a state checksum after every frame whose number is a multiple of
   * this, and the room checks them (`checksumInterval`); 0 or absent: checksums off. The other
   * targets ignore it.
   */
  readonly checksumInterval?: number;
  /**
   * LockstepRoom only: spectators per room. The room accepts this many (`maxSpectators`, frames
   * delayed by `SPECTATOR_DELAY_SECONDS` of spectators.ts), and once its players are in, as many
   * spectator bots join it by id with `{ spectate: true }`: they send nothing, and what they
   * receive is reported apart from the players' figures. 0 or absent: none, and the room is made
   * as one without spectators (locked at the start rather than private). The other targets would
   * ignore it; the load test refuses it for them.
   */
  readonly spectators?: number;
}

/** Numeric message type of actions in both Colyseus targets (raw bytes). */
export const ACTION_TYPE = 3;

/**
 * An input as bots send it: the bot's id and a sequence number first (so a bot finds its own
 * input in a frame and times it), padded to `size` bytes.
 */
export function makeInput(size: number, botId: number, sequence: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(8, size));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, botId);
  view.setUint32(4, sequence);
  return bytes;
}

/** Reads the bot id and sequence number back from an input. */
export function readInput(bytes: Uint8Array, offset = 0): { botId: number; sequence: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8);
  return { botId: view.getUint32(0), sequence: view.getUint32(4) };
}

/** Durations summarized: p50, p99 and max, in ms. */
export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What a server reports about one measured window. */
export interface ServerStats {
  /** How late the server's frame timer fired. */
  readonly lateness: Summary;
  /** CPU time used in the window, in ms (user + system). */
  readonly cpuMs: number;
  /** The part of `cpuMs` spent in the kernel (on loopback, mostly the network stack delivering what the process writes). */
  readonly kernelCpuMs: number;
  readonly wallMs: number;
  readonly rssBytes: number;
  /** LockstepRoom only: checksums the rooms accepted in the window. */
  readonly checksumsAccepted?: number;
  /** LockstepRoom only: desyncs found in the window (the bots all send the same hash: must be 0). */
  readonly desyncs?: number;
  /** LockstepRoom only: messages refused in the window, by error code. */
  readonly refused?: Readonly<Record<string, number>>;
}
