import { randomUUID } from "node:crypto";
import { logger, matchMaker } from "@colyseus/core";
import { RECOVERY_CHANNEL } from "./match-journal.ts";
import { LOCKSTEP_RESUME } from "./lockstep-services.ts";
import type { MatchStore, StoredMatch } from "./match-store.ts";

/** Orphaned matches are looked for every second (and at once when a process hands one over). */
export const RECOVERY_SCAN_MS = 1000;
/** A claim covers loading and recreating the room; if the claimer dies meanwhile, another may try after this. */
export const CLAIM_TTL_MS = 15_000;

/**
 * Resumes matches whose process is gone. Each process runs one: a match listed as active
 * whose lease has lapsed (its process was killed, or handed it over while stopping) is
 * claimed by exactly one process, which recreates the room with the same room id from the
 * stored frames and seats, so the players' reconnection finds it.
 */
export class MatchRecovery {
  readonly #store: MatchStore;
  readonly #pending = new Map<string, StoredMatch>();
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;
  readonly #onHandover = (): void => void this.scan();

  constructor(store: MatchStore) {
    this.#store = store;
  }

  /** Starts watching (after the server listens: rooms are created through the matchmaker). */
  start(): void {
    void matchMaker.presence.subscribe(RECOVERY_CHANNEL, this.#onHandover);
    this.#timer = setInterval(() => void this.scan(), RECOVERY_SCAN_MS);
    this.#timer.unref();
  }

  /** Stops watching (a stopping process must not resume anything). */
  stop(): void {
    clearInterval(this.#timer);
    matchMaker.presence?.unsubscribe(RECOVERY_CHANNEL, this.#onHandover);
  }

  /** The stored match for a resume nonce, once (called by the room being created). */
  take(nonce: string): StoredMatch | undefined {
    const stored = this.#pending.get(nonce);
    this.#pending.delete(nonce);
    return stored;
  }

  /** Looks for orphaned matches and resumes those this process claims. */
  async scan(): Promise<void> {
    if (this.#scanning || matchMaker.state !== matchMaker.MatchMakerState.READY) return;
    this.#scanning = true;
    try {
      for (const roomId of await this.#store.activeMatches()) {
        if ((await this.#store.leaseHolder(roomId)) !== undefined) continue;
        if (!(await this.#store.claim(roomId, matchMaker.processId, CLAIM_TTL_MS))) continue;
        await this.#resume(roomId);
      }
    } catch (error) {
      logger.error("lockstep: match recovery scan failed:", error);
    } finally {
      this.#scanning = false;
    }
  }

  async #resume(roomId: string): Promise<void> {
    const stored = await this.#store.loadMatch(roomId);
    if (stored === undefined) {
      await this.#store.finish(roomId, 0);
      return;
    }
    const nonce = randomUUID();
    this.#pending.set(nonce, stored);
    try {
      // The dead owner's listing would shadow the resumed room: drop it first.
      await matchMaker.driver.remove(roomId);
      await matchMaker.handleCreateRoom(stored.match.roomName, { [LOCKSTEP_RESUME]: nonce }, undefined, roomId);
      logger.info(`lockstep: resumed match ${roomId} from frame ${stored.match.match.start_frame + stored.frames.length} on ${matchMaker.processId}`);
    } catch (error) {
      logger.error(`lockstep: could not resume match ${roomId}:`, error);
    } finally {
      this.#pending.delete(nonce);
    }
  }
}
