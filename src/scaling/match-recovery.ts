import { logger, matchMaker, type IRoomCache } from "@colyseus/core";
import { LEASE_TTL_MS, RECOVERY_CHANNEL } from "./match-journal.ts";
import { repairListings } from "./listing-guard.ts";
import type { ResumeTicket } from "../lockstep/match-persistence.ts";
import { JournalError, type JournalOwner, type MatchStore, type StoredMatch } from "./match-store.ts";

/** Orphaned matches are looked for every second (and at once when a process hands one over). */
export const RECOVERY_SCAN_MS = 1000;
/** A claim covers loading and recreating the room; if the claimer dies meanwhile, another may try after this. */
export const CLAIM_TTL_MS = 15_000;
/** A journal that cannot be resumed is kept a day for inspection, out of the active set. */
export const BROKEN_MATCH_RETENTION_SECONDS = 24 * 3600;

interface Resolvers<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function resolvers<T>(): Resolvers<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  promise.catch(() => undefined); // the room may never take the ticket: a rejection must not go unhandled
  return { promise, resolve, reject };
}

/**
 * Resumes matches whose process is gone. Each process runs one: a match listed as active
 * whose lease has lapsed (its process was killed, lost Redis, or handed it over while
 * stopping) is claimed by exactly one process, which recreates the room with the same room id
 * from the stored frames and seats, so the players' reconnection finds it. A journal with a
 * hole is refused, logged with its `JournalError` code and set aside (never retried).
 */
export class MatchRecovery {
  readonly #store: MatchStore;
  readonly #pending = new Map<string, ResumeTicket>();
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;
  #failing = false;
  readonly #onHandover = (): void => void this.scan();
  readonly #tick = (): void => void this.scan();

  constructor(store: MatchStore) {
    this.#store = store;
  }

  /** Starts watching (after the server listens: rooms are created through the matchmaker). */
  start(): void {
    void matchMaker.presence.subscribe(RECOVERY_CHANNEL, this.#onHandover);
    this.#timer = setInterval(this.#tick, RECOVERY_SCAN_MS);
    this.#timer.unref();
  }

  /** Stops watching (a stopping process must not resume anything). */
  stop(): void {
    clearInterval(this.#timer);
    matchMaker.presence?.unsubscribe(RECOVERY_CHANNEL, this.#onHandover);
  }

  /** The stored match for the room being created under `roomId`, once (called by that room). */
  take(roomId: string): ResumeTicket | undefined {
    const ticket = this.#pending.get(roomId);
    this.#pending.delete(roomId);
    return ticket;
  }

  /** Checks this process's listings (see `repairListings`), then looks for orphaned matches and resumes those this process claims. */
  async scan(): Promise<void> {
    if (this.#scanning || matchMaker.state !== matchMaker.MatchMakerState.READY) return;
    this.#scanning = true;
    try {
      await repairListings();
      for (const roomId of await this.#store.activeMatches()) {
        // The claim succeeds only while no lease is alive, for exactly one process.
        if (!(await this.#store.claim(roomId, matchMaker.processId, CLAIM_TTL_MS))) continue;
        // One match that cannot be resumed must not hold up the others (it is tried again when its claim lapses).
        await this.#resume(roomId).catch((error: unknown) => logger.error(`lockstep: could not resume match ${roomId}: ${(error as Error).message}`));
      }
      if (this.#failing) logger.info("lockstep: match recovery scans work again");
      this.#failing = false;
    } catch (error) {
      // One line per outage, not one per second.
      if (!this.#failing) logger.error(`lockstep: match recovery scan failed (${(error as Error).message}); retrying every ${RECOVERY_SCAN_MS} ms`);
      this.#failing = true;
    } finally {
      this.#scanning = false;
    }
  }

  async #resume(roomId: string): Promise<void> {
    const owner: JournalOwner = { processId: matchMaker.processId, leaseTtlMs: LEASE_TTL_MS };
    let stored: StoredMatch | undefined;
    try {
      stored = await this.#store.loadMatch(roomId);
    } catch (error) {
      if (!(error instanceof JournalError)) throw error;
      logger.error(`lockstep: ${error.message}; the match is not resumed and is kept aside for inspection`);
      await this.#store.quarantine(owner, roomId, error.code, BROKEN_MATCH_RETENTION_SECONDS);
      return;
    }
    if (stored === undefined) {
      await this.#store.finish(owner, roomId, 0);
      return;
    }
    // The listing a killed owner left behind would shadow the resumed room: drop it, and have
    // Colyseus check that process (its other listings and its room count go if it is dead).
    const stale = await matchMaker.driver.findOne({ roomId });
    const listed = resolvers<IRoomCache>();
    // The room created under this id takes the ticket in onCreate (no client can pick a room id).
    this.#pending.set(roomId, { stored, listed: listed.promise });
    try {
      if (stale) await matchMaker.driver.remove(roomId);
      const listing = await matchMaker.handleCreateRoom(stored.match.roomName, {}, undefined, roomId);
      if (listing.processId !== matchMaker.processId) throw new Error(`process ${listing.processId} listed room ${roomId} first`);
      listed.resolve(listing);
      logger.info(`lockstep: resumed match ${roomId} from frame ${stored.firstFrame + stored.frames.length} on ${matchMaker.processId}`);
      if (stale && stale.processId !== matchMaker.processId) void matchMaker.healthCheckProcessId(stale.processId);
    } catch (error) {
      listed.reject(error);
      logger.error(`lockstep: could not resume match ${roomId}: ${(error as Error).message}`);
    } finally {
      this.#pending.delete(roomId);
    }
  }
}
