import type { WebSocket, WebSocketServer } from "ws";

/** Default time between two pings of one connection (Colyseus's own default). */
export const DEFAULT_PING_INTERVAL_MS = 3000;
/** Default number of unanswered pings after which a connection is closed (Colyseus's own default). */
export const DEFAULT_PING_MAX_MISSED = 2;
/** How many groups the connections are spread over: one group is pinged every interval / this. */
const SLICES = 30;

/** What the heartbeat keeps per connection: how many pings in a row went unanswered. */
interface Beat {
  missed: number;
}

/**
 * Detects dead WebSocket connections the way Colyseus's transport does (a ping every interval,
 * closed after `maxMissed` unanswered ones), but spread over time: connections are dealt
 * round-robin into {@link SLICES} groups and one group is pinged every `interval / SLICES` ms.
 * Colyseus pings every connection in one loop every 3 s, which at a few hundred players blocks
 * the event loop for 10–50 ms and makes every room whose frame falls in it late; here a tick
 * pings a thirtieth of them. One timer for the whole server, none per connection.
 */
export class StaggeredHeartbeat {
  readonly #slices: Map<WebSocket, Beat>[] = Array.from({ length: SLICES }, () => new Map());
  readonly #maxMissed: number;
  readonly #timer: NodeJS.Timeout;
  #nextSlice = 0;
  #dealt = 0;

  /** Starts pinging the connections `wss` accepts from now on; `stop` ends it. */
  constructor(wss: WebSocketServer, intervalMs: number, maxMissed = DEFAULT_PING_MAX_MISSED) {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) throw new RangeError("the ping interval must be a positive number of milliseconds");
    if (!Number.isInteger(maxMissed) || maxMissed < 1) throw new RangeError("maxMissed must be a positive integer");
    this.#maxMissed = maxMissed;
    wss.on("connection", this.#track);
    this.#timer = setInterval(this.#pingSlice, intervalMs / SLICES);
    // The heartbeat alone must not keep a process alive.
    this.#timer.unref();
  }

  /** Connections being watched. */
  get size(): number {
    let size = 0;
    for (const slice of this.#slices) size += slice.size;
    return size;
  }

  /** Stops pinging (the server is closing). */
  stop(): void {
    clearInterval(this.#timer);
    for (const slice of this.#slices) slice.clear();
  }

  #track = (socket: WebSocket): void => {
    const beat: Beat = { missed: 0 };
    const slice = this.#slices[this.#dealt++ % SLICES]!;
    slice.set(socket, beat);
    socket.on("pong", () => {
      beat.missed = 0;
    });
    socket.once("close", () => slice.delete(socket));
  };

  #pingSlice = (): void => {
    const slice = this.#slices[this.#nextSlice]!;
    this.#nextSlice = (this.#nextSlice + 1) % SLICES;
    for (const [socket, beat] of slice) {
      if (beat.missed >= this.#maxMissed) {
        slice.delete(socket);
        socket.terminate();
        continue;
      }
      beat.missed++;
      // A socket still opening or already closing is skipped; its close event removes it.
      if (socket.readyState === socket.OPEN) socket.ping();
    }
  };
}
