import { createServer as createHttpsServer } from "node:https";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, logger, matchMaker, type MatchMakerDriver, type Presence, type Room } from "@colyseus/core";
import { declaredSettings } from "../lockstep/declared-settings.ts";
import { LockstepRoom } from "../lockstep/lockstep-room.ts";
import { PhaseBalancer } from "../lockstep/phase-balancer.ts";
import { KeyedRateLimiter, limitMatchmaking } from "./address-limiter.ts";
import {
  DEFAULT_MATCHMAKING_PER_ACCOUNT_PER_MINUTE,
  DEFAULT_MATCHMAKING_PER_ADDRESS_PER_MINUTE,
  DEFAULT_MAX_MATCHES_PER_ACCOUNT,
  DEFAULT_MAX_ROOMS_PER_PROCESS,
  RoomAdmission,
  type AdmissionLimits,
  type TokenVerifier,
} from "./room-admission.ts";
import { SeatLedger } from "./seat-ledger.ts";
import type { LockstepServices } from "../lockstep/room-services.ts";
import { HeartbeatTransport } from "./heartbeat-transport.ts";
import type express from "express";
import helmet from "helmet";
import { jsonErrorHandler } from "./http/json-errors.ts";

/**
 * Largest WebSocket message a client may send. Colyseus's 4 KiB default already bounds
 * `sync_action` (limited to `maxActionBytes` far below it); larger messages close with 1009.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024;

/** A room class, as Colyseus `define` takes it. */
// biome-ignore lint/suspicious/noExplicitAny: Colyseus constructs rooms with any arguments; `unknown[]` would reject classes with typed ones.
export type RoomClass = new (...args: any[]) => Room;

/** Options of {@link createLockstepServer}. */
export interface LockstepServerOptions {
  /** Room classes by name, as for Colyseus `define`. */
  readonly rooms: Readonly<Record<string, RoomClass>>;
  /** TCP port; 0 picks a free one (tests). Default 2567, Colyseus's usual port. */
  readonly port?: number;
  /** Interface to bind; default all interfaces. */
  readonly host?: string;
  /** Extra HTTP routes (static files, health checks) on the same port. */
  readonly routes?: (app: express.Application) => void;
  /** WebSocket message size limit for client → server messages. */
  readonly maxPayloadBytes?: number;
  /** Print the Colyseus banner (default false). */
  readonly greet?: boolean;
  /**
   * How often each connection is pinged to detect dead ones; one left unanswered twice in a
   * row is closed. Default 3000 ms, as in Colyseus, but spread over the interval (a thirtieth
   * of the connections at a time) rather than Colyseus's single burst, which stalls every room
   * of the process. 0 disables it (dead connections then wait for TCP to notice).
   */
  readonly pingIntervalMs?: number;
  /** PEM certificate and key: serve HTTPS and WSS instead of HTTP and WS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Standard security headers on every HTTP response (helmet); default true. */
  readonly securityHeaders?: boolean;
  /** Shared presence (e.g. Redis) for several processes; default Colyseus's local presence. */
  readonly presence?: Presence;
  /** Shared matchmaker driver (e.g. Redis); default Colyseus's local driver. */
  readonly driver?: MatchMakerDriver;
  /** `host:port` where clients reach this process (required with several processes). */
  readonly publicAddress?: string;
  /** What lockstep rooms of this process get (match store, resume hand-off). */
  readonly services?: LockstepServices;
  /**
   * Verifies login tokens at matchmaking, for every lockstep room of this server, before a
   * seat is reserved. Without it, rooms that require a token (the default) refuse everyone:
   * open them with `requireAuth: false`, or pass a verifier (the accounts module provides one).
   */
  readonly auth?: TokenVerifier;
  /** Matchmaking and room limits (each defaults as documented on {@link AdmissionLimits}). */
  readonly limits?: Partial<AdmissionLimits>;
}

/** Burst of the matchmaking rate limits: a sixth of a minute's budget back to back (a page's join and retries). */
const MATCHMAKING_BURST_SHARE = 1 / 6;

function resolveLimits(limits: Partial<AdmissionLimits> = {}): AdmissionLimits {
  const resolved: AdmissionLimits = {
    maxRoomsPerProcess: limits.maxRoomsPerProcess ?? DEFAULT_MAX_ROOMS_PER_PROCESS,
    maxMatchesPerAccount: limits.maxMatchesPerAccount ?? DEFAULT_MAX_MATCHES_PER_ACCOUNT,
    matchmakingPerAccountPerMinute: limits.matchmakingPerAccountPerMinute ?? DEFAULT_MATCHMAKING_PER_ACCOUNT_PER_MINUTE,
    matchmakingPerAddressPerMinute: limits.matchmakingPerAddressPerMinute ?? DEFAULT_MATCHMAKING_PER_ADDRESS_PER_MINUTE,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`createLockstepServer: limits.${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}

/**
 * Whether joining a room of this class needs a token, or why its settings are invalid (then
 * every join is refused with that reason, the same one creating the room would give).
 */
function joinRule(name: string, RoomClass: new () => LockstepRoom): boolean | Error {
  try {
    return declaredSettings(RoomClass).requireAuth;
  } catch (error) {
    logger.error(`lockstep: room "${name}" cannot be created: ${(error as Error).message}`);
    return error as Error;
  }
}

const burstOf = (perMinute: number): number => Math.max(1, Math.ceil(perMinute * MATCHMAKING_BURST_SHARE));

/** A listening server and how to reach and stop it. */
export interface LockstepServer {
  readonly server: Server;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** `http://host:port` for `@colyseus/sdk` clients. */
  readonly url: string;
  /** Disconnects every room and closes the port. */
  close(): Promise<void>;
}

/**
 * Starts a Colyseus server with the WebSocket transport, the given rooms and routes.
 * Uses Colyseus's defaults for scaling (local presence and driver: one process). Errors that
 * escape the routes are answered as JSON (see `jsonErrorHandler`), never as a stack trace.
 */
export async function createLockstepServer(options: LockstepServerOptions): Promise<LockstepServer> {
  const tls = options.tls;
  const transport = new HeartbeatTransport({
    maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    ...(options.pingIntervalMs !== undefined ? { pingInterval: options.pingIntervalMs } : {}),
    ...(tls !== undefined ? { server: createHttpsServer({ cert: tls.cert, key: tls.key }) } : {}),
  });
  const routes = options.routes;
  const securityHeaders = options.securityHeaders ?? true;
  const server = new Server({
    transport,
    greet: options.greet ?? false,
    ...(options.presence !== undefined ? { presence: options.presence } : {}),
    ...(options.driver !== undefined ? { driver: options.driver } : {}),
    ...(options.publicAddress !== undefined ? { publicAddress: options.publicAddress } : {}),
    // The caller owns the process: tests run several servers, and `main` handles signals itself.
    gracefullyShutdown: false,
    express: (app: express.Application) => {
      if (securityHeaders) app.use(securityHeadersMiddleware(tls !== undefined));
      routes?.(app);
      // Last: whatever the routes throw is answered as JSON, without a stack trace.
      app.use(jsonErrorHandler());
    },
  });
  const limits = resolveLimits(options.limits);
  const ledger = new SeatLedger(() => ({ presence: matchMaker.presence, driver: matchMaker.driver }), limits.maxRoomsPerProcess);
  const admission = new RoomAdmission(
    options.auth,
    limits,
    ledger,
    new KeyedRateLimiter(limits.matchmakingPerAccountPerMinute, burstOf(limits.matchmakingPerAccountPerMinute)),
  );
  const services: LockstepServices = { phases: new PhaseBalancer(), seats: ledger, ...options.services };
  for (const [name, room] of Object.entries(options.rooms)) {
    if (room.prototype instanceof LockstepRoom) {
      const lockstepRoom = room as unknown as new () => LockstepRoom;
      server.define(name, admission.serve(lockstepRoom, joinRule(name, lockstepRoom), services) as unknown as RoomClass);
    } else {
      server.define(name, room);
    }
  }
  try {
    await listenOrFail(server, transport.server!, options.port ?? 2567, options.host);
  } catch (error) {
    // Colyseus's listen starts the matchmaker (presence entries, health checks) before the port
    // fails: take it down again, so that a caller that handles the error is left with nothing running.
    await server.gracefullyShutdown(false).catch(() => undefined);
    throw error;
  }
  limitMatchmaking(transport.server!, new KeyedRateLimiter(limits.matchmakingPerAddressPerMinute, burstOf(limits.matchmakingPerAddressPerMinute)));
  const port = (transport.server!.address() as AddressInfo).port;
  const host = options.host === undefined || options.host === "0.0.0.0" ? "localhost" : options.host;
  return {
    server,
    port,
    url: `${tls !== undefined ? "https" : "http"}://${host}:${port}`,
    close: () => server.gracefullyShutdown(false),
  };
}

/** Thrown when the server cannot listen: the port is taken, or may not be used. Its message is one line naming the port. */
export class ListenError extends Error {
  /** The port that could not be bound. */
  readonly port: number;
  /** The system's error code (`EADDRINUSE`, `EACCES`, …). */
  readonly code: string | undefined;

  constructor(port: number, host: string | undefined, cause: NodeJS.ErrnoException) {
    const where = `${host ?? "all interfaces"} port ${port}`;
    const why =
      cause.code === "EADDRINUSE"
        ? `${where} is already in use (another server, or an earlier one still running?): stop it or choose another port`
        : cause.code === "EACCES"
          ? `${where} may not be used by this user: choose a port above 1023`
          : `cannot listen on ${where}: ${cause.message}`;
    super(why, { cause });
    this.name = "ListenError";
    this.port = port;
    this.code = cause.code;
  }
}

/**
 * Colyseus listens with a callback only, so a port that cannot be bound leaves its `listen`
 * pending forever (the transport only prints the error): a process that never serves nor exits.
 * Here it rejects with a {@link ListenError} instead.
 */
async function listenOrFail(server: Server, http: HttpServer, port: number, host: string | undefined): Promise<void> {
  let onError: ((error: NodeJS.ErrnoException) => void) | undefined;
  // The transport's own error printer would add a stack trace to the one-line reason; it is put back once listening.
  const printers = http.listeners("error") as ((...args: unknown[]) => void)[];
  http.removeAllListeners("error");
  const failed = new Promise<never>((_resolve, reject) => {
    onError = (error) => reject(new ListenError(port, host, error));
    http.once("error", onError);
  });
  try {
    await Promise.race([server.listen(port, host), failed]);
  } finally {
    http.off("error", onError!);
    for (const printer of printers) http.on("error", printer);
  }
}

/**
 * helmet's defaults, adjusted for a game server: WebSocket connections back to the page's
 * origin are allowed, and HSTS and "upgrade insecure requests" are sent only over TLS (on
 * plain HTTP they would break a local setup).
 */
function securityHeadersMiddleware(overTls: boolean): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        "connect-src": ["'self'", "ws:", "wss:"],
        "upgrade-insecure-requests": overTls ? [] : null,
      },
    },
    strictTransportSecurity: overTls,
  });
}
