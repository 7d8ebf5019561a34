import { Client, type Room } from "@colyseus/sdk";
import { AccountApi, type AuthSession, type AuthUser } from "./account-api.ts";
import { LockstepMatch } from "./lockstep-match.ts";
import { DEFAULT_RECONNECT_TIMEOUT_MS } from "./reconnect-loop.ts";
import type { ActionOf } from "./types.ts";

/** Options of {@link LockstepClient}. */
export interface LockstepClientOptions {
  /** Auth token sent with every join (optional until the server requires one). */
  readonly token?: string;
  /** Reconnect automatically when the connection drops or the match moves to another process (default true). */
  readonly autoReconnect?: boolean;
  /**
   * Start from the server's latest verified snapshot when joining a running match, reconnecting
   * after a page reload or watching (default false): `onStart`'s info then carries `snapshot`,
   * frames start after it, and `run` needs a `load` option (see the README's "Late join and snapshots").
   */
  readonly snapshots?: boolean;
  /**
   * How long automatic reconnection keeps trying before the match is closed with 4003
   * (default 30 000 ms: a server holds a dropped seat 20 s by default, plus time for a match to move).
   */
  readonly reconnectTimeoutMs?: number;
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
  /** The underlying `@colyseus/sdk` client of the first endpoint (joins and accounts go through it). */
  readonly colyseus: Client;
  readonly #endpoints: readonly Client[];
  readonly #autoReconnect: boolean;
  readonly #reconnectTimeoutMs: number;
  readonly #snapshots: boolean;
  readonly #accounts: AccountApi;

  /**
   * @param endpoint - the server's URL, or several (one per process or region) tried in order
   *   when reconnecting, so a match can be found again after the process that served it stopped.
   */
  constructor(endpoint: string | readonly string[], options: LockstepClientOptions = {}) {
    const endpoints = typeof endpoint === "string" ? [endpoint] : endpoint;
    if (endpoints.length === 0) throw new Error("LockstepClient needs at least one endpoint");
    this.#endpoints = endpoints.map((url) => new Client(url));
    this.colyseus = this.#endpoints[0]!;
    this.#accounts = new AccountApi(this.colyseus);
    // The SDK may restore a token a page stored earlier; this client uses only its own.
    this.token = options.token;
    this.#autoReconnect = options.autoReconnect ?? true;
    this.#snapshots = options.snapshots ?? false;
    this.#reconnectTimeoutMs = options.reconnectTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
    if (!Number.isFinite(this.#reconnectTimeoutMs) || this.#reconnectTimeoutMs < 0) {
      throw new RangeError(`reconnectTimeoutMs must be a finite number of milliseconds >= 0, got ${options.reconnectTimeoutMs}`);
    }
  }

  /** The token sent with joins (set by the login methods, or by hand). */
  get token(): string | undefined {
    return this.#accounts.token;
  }

  set token(token: string | undefined) {
    this.#accounts.token = token;
    for (const client of this.#endpoints) client.auth.token = token as string;
  }

  /** The logged-in user, after `register`, `login`, `loginAnonymous` or `refresh`. */
  get user(): AuthUser | undefined {
    return this.#accounts.user;
  }

  /** Creates an account and logs in. Throws `AuthError` (409 `email_already_in_use`, 400 for a malformed email or short password). */
  register(email: string, password: string, options: { name?: string } = {}): Promise<AuthSession> {
    return this.#session("/auth/register", { email, password, options });
  }

  /** Logs in with email and password. Throws `AuthError` (401 `invalid_credentials`). */
  login(email: string, password: string): Promise<AuthSession> {
    return this.#session("/auth/login", { email, password });
  }

  /** Logs in as a new guest (a stored anonymous user). */
  loginAnonymous(options: { name?: string } = {}): Promise<AuthSession> {
    return this.#session("/auth/anonymous", { options });
  }

  /** Exchanges the current, still valid token for a fresh one (with the user's current role). */
  refresh(): Promise<AuthSession> {
    return this.#session("/auth/refresh", undefined);
  }

  /** Logs out everywhere: the server revokes every token of this user; this client forgets its own. */
  async logout(): Promise<void> {
    try {
      await this.#accounts.post("/auth/logout", undefined);
    } finally {
      this.token = undefined;
    }
  }

  async #session(path: string, body: object | undefined): Promise<AuthSession> {
    const session = await this.#accounts.session(path, body);
    this.token = session.token;
    return session;
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

  /**
   * Watches a room's match without a seat (the room must accept spectators: `maxSpectators`).
   * The match delivers frames as for a player, `spectatorDelayFrames` behind the newest (the
   * server enforces it); `sendAction` and `ready` do nothing. After a lost connection or a
   * hand-over it watches again through any endpoint and catches up.
   */
  async spectate<T = unknown>(roomId: string, options: Record<string, unknown> = {}): Promise<LockstepMatch<ActionOf<T>>> {
    const watch = { ...options, spectate: true };
    const room = await this.colyseus.joinById(roomId, watch);
    const again = this.#autoReconnect ? () => this.#anyEndpoint((client) => client.joinById(roomId, watch)) : undefined;
    return new LockstepMatch<ActionOf<T>>(room, again, this.#reconnectTimeoutMs, this.#snapshots);
  }

  /**
   * Takes back a seat held for this player (e.g. after a page reload) and catches up from the
   * match start. Tries each endpoint in order, as automatic reconnection does; rejects with the
   * last endpoint's error if none takes the seat back.
   */
  async reconnect<T = unknown>(reconnectionToken: string): Promise<LockstepMatch<ActionOf<T>>> {
    return this.#wrap<ActionOf<T>>(await this.#reconnectAnywhere(reconnectionToken));
  }

  #wrap<TAction>(room: Room): LockstepMatch<TAction> {
    const reconnect = this.#autoReconnect ? (token: string) => this.#reconnectAnywhere(token) : undefined;
    return new LockstepMatch<TAction>(room, reconnect, this.#reconnectTimeoutMs, this.#snapshots);
  }

  /**
   * Tries each endpoint in turn: any process of the cluster can tell where the match lives now.
   * An endpoint that does not answer within {@link ENDPOINT_ATTEMPT_MS} is skipped (a process
   * that lost its database can hang a request); a seat it hands back later is left at once.
   */
  #reconnectAnywhere(reconnectionToken: string): Promise<Room> {
    return this.#anyEndpoint((client) => client.reconnect(reconnectionToken));
  }

  /** The first room `attempt` gets through an endpoint, trying each in turn (see {@link ENDPOINT_ATTEMPT_MS}). */
  async #anyEndpoint(attempt: (client: Client) => Promise<Room>): Promise<Room> {
    let lastError: unknown;
    for (const client of this.#endpoints) {
      try {
        return await withinTime(attempt(client), ENDPOINT_ATTEMPT_MS);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }
}

/** A reconnection through one endpoint gives up after this long: a healthy server answers in a round trip or two. */
export const ENDPOINT_ATTEMPT_MS = 5000;

/** The room `attempt` yields within `ms`; after that, an error (and a room that arrives late is left). */
function withinTime(attempt: Promise<Room>, ms: number): Promise<Room> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    attempt.then(
      (room) => {
        clearTimeout(timer);
        if (late) void room.leave(true);
        else resolve(room);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
