import { logger, matchMaker } from "@colyseus/core";
import type { MatchStore, PersistedMatch, PersistedSeat } from "./match-store.ts";

/** A lease lives 3 s and is renewed every second: two missed renewals still leave it alive, a dead process loses it within 3 s. */
export const LEASE_TTL_MS = 3000;
/** How often the owner renews its lease (a third of its life). */
export const LEASE_RENEW_MS = 1000;
/** Finished matches stay readable for an hour (replays, support), then expire. */
export const FINISHED_MATCH_RETENTION_SECONDS = 3600;
/** Channel on which processes are told that a match is waiting to be resumed. */
export const RECOVERY_CHANNEL = "lockstep:recover";

/**
 * The persistence side of one running match: its description and seats, every frame in
 * order, and a lease renewed while the match runs here. `append` resolves once the frame is
 * stored, so the room can broadcast only frames that a resumed match will also have.
 */
export class MatchJournal {
  readonly #store: MatchStore;
  #record: PersistedMatch;
  #tail: Promise<unknown> = Promise.resolve();
  #renewTimer: NodeJS.Timeout | undefined;

  private constructor(store: MatchStore, record: PersistedMatch) {
    this.#store = store;
    this.#record = record;
  }

  /**
   * Starts journaling: persists the match description and takes the lease. Returns at once;
   * frames appended meanwhile are stored after the description (one connection, in order).
   */
  static begin(store: MatchStore, record: PersistedMatch): MatchJournal {
    const journal = new MatchJournal(store, record);
    journal.#tail = store
      .saveMatch(record)
      .then(() => journal.#renew())
      .catch((error: unknown) => logger.error(`lockstep: could not persist match ${record.roomId}:`, error));
    journal.#renewTimer = setInterval(() => void journal.#renew(), LEASE_RENEW_MS);
    journal.#renewTimer.unref();
    return journal;
  }

  get roomId(): string {
    return this.#record.roomId;
  }

  /** Stores the next frame; resolves when it is durable. */
  append(bytes: Uint8Array): Promise<void> {
    const stored = this.#store.appendFrame(this.#record.roomId, bytes);
    this.#tail = stored.catch(() => undefined);
    return stored;
  }

  /** Records the current seats (on join, reconnection, leave): a resumed room lets exactly these sessions back. */
  saveSeats(seats: readonly PersistedSeat[]): void {
    this.#record = { ...this.#record, seats };
    this.#store.saveMatch(this.#record).catch((error: unknown) => logger.error(`lockstep: could not persist seats of ${this.roomId}:`, error));
  }

  /** Graceful stop: waits for every frame to be stored, then marks the match for another process to resume. */
  async handover(): Promise<void> {
    this.#stopRenewing();
    await this.#tail;
    this.#record = { ...this.#record, status: "handover" };
    await this.#store.saveMatch(this.#record);
  }

  /**
   * Gives up the lease and tells the other processes, after the room's listing is gone
   * (Colyseus removes it while the room disposes, right after this is called).
   */
  releaseForResume(): void {
    setImmediate(() => {
      this.#store
        .releaseLease(this.roomId)
        .then(() => matchMaker.presence?.publish(RECOVERY_CHANNEL, this.roomId))
        .catch((error: unknown) => logger.error(`lockstep: could not hand over ${this.roomId}:`, error));
    });
  }

  /** The match ended: it is no longer resumable; its data expires after the retention period. */
  async finish(): Promise<void> {
    this.#stopRenewing();
    await this.#tail;
    await this.#store.finish(this.roomId, FINISHED_MATCH_RETENTION_SECONDS);
  }

  /** Stops renewing the lease (the room is going away without a handover). */
  stop(): void {
    this.#stopRenewing();
  }

  #stopRenewing(): void {
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  async #renew(): Promise<void> {
    try {
      await this.#store.renewLease(this.roomId, matchMaker.processId, LEASE_TTL_MS);
    } catch (error) {
      logger.error(`lockstep: could not renew the lease of ${this.roomId}:`, error);
    }
  }
}
