import { ErrorCode, ServerError, logger, type AuthContext } from "@colyseus/core";
import type { LockstepRoom } from "../lockstep/lockstep-room.ts";
import { ROOM_SERVICES, type LockstepServices } from "../lockstep/room-services.ts";
import type { KeyedRateLimiter } from "./address-limiter.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./http/json-depth.ts";
import type { SeatLedger } from "./seat-ledger.ts";

/** A verified login token, as a room sees it in `client.auth`: `id` is the account the seat belongs to. */
export interface VerifiedIdentity {
  readonly id: string;
  readonly [claim: string]: unknown;
}

/**
 * Checks a login token at matchmaking. Resolves with the verified identity, or throws a
 * `ServerError` whose message says why the token is refused (the client sees it).
 */
export type TokenVerifier = (token: string, context: AuthContext) => Promise<VerifiedIdentity>;

/** The limits a server puts on matchmaking (see `createLockstepServer`'s `limits`). */
export interface AdmissionLimits {
  /** Lockstep rooms one process runs at once; creating one more is refused with 503. */
  readonly maxRoomsPerProcess: number;
  /** Matches one account plays or is joining at once, over every process; one more is refused with 429. */
  readonly maxMatchesPerAccount: number;
  /** Matchmaking requests per account per minute (burst: a sixth of it); more are refused with 429. */
  readonly matchmakingPerAccountPerMinute: number;
  /** Matchmaking requests per client address per minute (burst: a sixth of it); more are refused with 429. */
  readonly matchmakingPerAddressPerMinute: number;
}

/**
 * 500 rooms: a core carries about a thousand players at 30 Hz (see the README's Performance),
 * i.e. 250 four-player matches, plus waiting rooms; past that a process should refuse, not stall.
 */
export const DEFAULT_MAX_ROOMS_PER_PROCESS = 500;
/** A player plays one match; three leave room for a reconnecting tab and a lobby, not for a room farm. */
export const DEFAULT_MAX_MATCHES_PER_ACCOUNT = 3;
/** Joining, reconnecting and retrying take a few requests a minute; 30 is generous. */
export const DEFAULT_MATCHMAKING_PER_ACCOUNT_PER_MINUTE = 30;
/** Several players behind one address (a household, a LAN party) share this budget. */
export const DEFAULT_MATCHMAKING_PER_ADDRESS_PER_MINUTE = 120;

/** A room class that admission can gate: a `LockstepRoom` subclass. */
type LockstepRoomClass = new (...args: never[]) => LockstepRoom;

/**
 * Decides at matchmaking, before Colyseus reserves a seat, who may join a lockstep room: the
 * token (none is refused for rooms that require one; a given one must verify), the account's
 * matchmaking rate and its number of matches. Each room class is served through its own
 * subclass, whose static `onAuth` applies this and which carries the server's services:
 * nothing is patched on `LockstepRoom` or on Colyseus's `Room`, so another server in the same
 * process, or a room defined elsewhere, is unaffected.
 */
export class RoomAdmission {
  readonly #verifier: TokenVerifier | undefined;
  readonly #limits: AdmissionLimits;
  readonly #ledger: SeatLedger;
  readonly #accountRate: KeyedRateLimiter;

  constructor(verifier: TokenVerifier | undefined, limits: AdmissionLimits, ledger: SeatLedger, accountRate: KeyedRateLimiter) {
    this.#verifier = verifier;
    this.#limits = limits;
    this.#ledger = ledger;
    this.#accountRate = accountRate;
  }

  /**
   * The class to define in place of `RoomClass`: the same room, admitted by this server's
   * rules and given its `services`. `requireAuth` is the room's setting, or the error that
   * makes its settings invalid (every join is then refused with it).
   */
  serve<T extends LockstepRoomClass>(RoomClass: T, requireAuth: boolean | Error, services: LockstepServices): T {
    const admission = this;
    const Served = class extends (RoomClass as unknown as typeof LockstepRoom) {
      static readonly [ROOM_SERVICES] = services;

      static override async onAuth(token: string, options: unknown, context: AuthContext): Promise<unknown> {
        return admission.#admit(token, options, context, requireAuth);
      }
    };
    Object.defineProperty(Served, "name", { value: RoomClass.name });
    return Served as unknown as T;
  }

  async #admit(token: string | undefined, options: unknown, context: AuthContext, requireAuth: boolean | Error): Promise<unknown> {
    if (requireAuth instanceof Error) throw new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, requireAuth.message);
    // Refused before any room is made: Colyseus's seat reservation overflows the stack on such
    // options and retries for seconds, creating rooms. (Colyseus uses the code as HTTP status.)
    if (nestsDeeperThan(options, MAX_JSON_DEPTH)) throw new ServerError(400, `join options may nest at most ${MAX_JSON_DEPTH} levels`);
    if (!token) {
      if (requireAuth) throw new ServerError(ErrorCode.AUTH_FAILED, "a login token is required to join this room");
      return true;
    }
    if (this.#verifier === undefined) {
      if (requireAuth)
        throw new ServerError(ErrorCode.AUTH_FAILED, "this room requires a login token, and this server verifies none (createLockstepServer's `auth` option)");
      // An open room on a server without accounts: the token means nothing here.
      return true;
    }
    const identity = await this.#verifier(token, context);
    const limits = this.#limits;
    const waitMs = this.#accountRate.take(identity.id);
    if (waitMs > 0) {
      throw new ServerError(
        429,
        `too many matchmaking requests for this account: at most ${limits.matchmakingPerAccountPerMinute} per minute (retry in ${Math.ceil(waitMs / 1000)} s)`,
      );
    }
    // A spectator plays no match: the account's match count is not its business.
    if (typeof options === "object" && options !== null && (options as { spectate?: unknown }).spectate === true) return identity;
    let reserved: boolean;
    try {
      reserved = await this.#ledger.reserve(identity.id, limits.maxMatchesPerAccount);
    } catch (error) {
      logger.error("lockstep: could not count the seats of an account:", error);
      throw new ServerError(503, "matchmaking is unavailable right now: try again shortly");
    }
    if (!reserved) {
      throw new ServerError(429, `this account already plays or is joining ${limits.maxMatchesPerAccount} matches at once (the limit): leave one first`);
    }
    return identity;
  }
}
