import { Client, type Room } from "@colyseus/sdk";
import { LockstepMatch } from "./lockstep-match.ts";
import type { ActionOf } from "./types.ts";

/** Options of {@link LockstepClient}. */
export interface LockstepClientOptions {
  /** Auth token sent with every join (optional until the server requires one). */
  readonly token?: string;
  /** Reconnect automatically when the connection drops (default true, from the first second). */
  readonly autoReconnect?: boolean;
}

/**
 * Entry point of the client SDK: joins lockstep rooms on a colyseus-lockstep server.
 *
 * ```ts
 * const client = new LockstepClient("http://localhost:2567");
 * const match = await client.joinOrCreate<ArenaRoom>("arena");   // action type taken from the server room
 * ```
 */
export class LockstepClient {
  /** The underlying `@colyseus/sdk` client. */
  readonly colyseus: Client;
  readonly #autoReconnect: boolean;

  constructor(endpoint: string, options: LockstepClientOptions = {}) {
    this.colyseus = new Client(endpoint);
    if (options.token !== undefined) this.colyseus.auth.token = options.token;
    this.#autoReconnect = options.autoReconnect ?? true;
  }

  /** Joins a room of that name with a free seat, or creates one. */
  async joinOrCreate<T = unknown>(roomName: string, options: Record<string, unknown> = {}): Promise<LockstepMatch<ActionOf<T>>> {
    return this.#wrap<ActionOf<T>>(await this.colyseus.joinOrCreate(roomName, options));
  }

  /** Creates a new room. */
  async create<T = unknown>(roomName: string, options: Record<string, unknown> = {}): Promise<LockstepMatch<ActionOf<T>>> {
    return this.#wrap<ActionOf<T>>(await this.colyseus.create(roomName, options));
  }

  /** Joins an existing room of that name (fails if none has a free seat). */
  async join<T = unknown>(roomName: string, options: Record<string, unknown> = {}): Promise<LockstepMatch<ActionOf<T>>> {
    return this.#wrap<ActionOf<T>>(await this.colyseus.join(roomName, options));
  }

  /** Joins a room by id. */
  async joinById<T = unknown>(roomId: string, options: Record<string, unknown> = {}): Promise<LockstepMatch<ActionOf<T>>> {
    return this.#wrap<ActionOf<T>>(await this.colyseus.joinById(roomId, options));
  }

  /** Takes back a seat held for this player (e.g. after a page reload) and catches up from the match start. */
  async reconnect<T = unknown>(reconnectionToken: string): Promise<LockstepMatch<ActionOf<T>>> {
    return this.#wrap<ActionOf<T>>(await this.colyseus.reconnect(reconnectionToken));
  }

  #wrap<TAction>(room: Room): LockstepMatch<TAction> {
    room.reconnection.enabled = this.#autoReconnect;
    // Colyseus waits 5 s of uptime before retrying; a lockstep player wants its seat back at once.
    room.reconnection.minUptime = 0;
    return new LockstepMatch<TAction>(room);
  }
}
