import { logger, matchMaker } from "@colyseus/core";
import type { MatchPersistence, ResumeTicket, RoomJournal } from "../lockstep/match-persistence.ts";
import type { ReplayHistory } from "../lockstep/replay-recorder.ts";
import type { ReplayHeader } from "../protocol/replay-format.ts";
import { ReplayFramesGone, type FrameRunSource } from "../lockstep/replay-archive.ts";
import type { VerifiedSnapshot } from "../lockstep/snapshot-keeper.ts";
import type { FramesWrite, JournalOwner, MatchStore, PersistedMatch, PersistedSeat, RecordWrite } from "./match-store.ts";

/** A lease lives 3 s and is renewed every second: two missed renewals still leave it alive, a dead process loses it within 3 s. */
export const LEASE_TTL_MS = 3000;
/** How often the owner renews its lease (a third of its life), and checks that its record still exists. */
export const LEASE_RENEW_MS = 1000;
/** Finished matches stay readable for an hour (replays, support), then expire. */
export const FINISHED_MATCH_RETENTION_SECONDS = 3600;
/** Channel on which processes are told that a match is waiting to be resumed. */
export const RECOVERY_CHANNEL = "lockstep:recover";
/**
 * How long a match may go without storing a frame before its process gives it up. Clients see
 * no frame meanwhile (only stored frames are sent), so this is how long a match can freeze:
 * 15 s rides out a Redis restart or failover (a few seconds) and stays within the 20 s a
 * player's seat is held (`reconnectWindowSeconds`) and PM2 waits for a graceful stop, so
 * that the players who are sent away can still reconnect to the process that resumes the match.
 */
export const DEFAULT_STORE_OUTAGE_LIMIT_MS = 15_000;

/** Options of a process's journals. */
export interface JournalOptions {
  /** See {@link DEFAULT_STORE_OUTAGE_LIMIT_MS}. */
  readonly outageLimitMs?: number;
}

/** What a journal tells the frame publisher between writes. */
export interface JournalListener {
  /** Another process owns the match now: stop at once. */
  fenced(): void;
  /** The store lost the match's record (e.g. Redis restarted empty): rebuild the journal from memory. */
  recordLost(): void;
}

const IGNORE: JournalListener = { fenced: () => undefined, recordLost: () => undefined };
const OK: RecordWrite = { status: "ok" };

/**
 * The persistence side of one running match on its owning process: the record (description
 * and seats), the frames by number, and a lease renewed every second. Every write is fenced
 * by the lease (see `JournalOwner`). The renewal also learns whether the record still exists,
 * so a store that lost its data gets the journal back from this process's memory (the frame
 * publisher re-stores the frames; see `FramePublisher`).
 */
export class MatchJournal implements RoomJournal {
  readonly #store: MatchStore;
  readonly #owner: JournalOwner;
  /** How long frames may wait to be stored before the match is given up (see {@link DEFAULT_STORE_OUTAGE_LIMIT_MS}). */
  readonly outageLimitMs: number;
  #record: PersistedMatch;
  /** Where the journal must be (re)opened before anything else is written; undefined once it exists. */
  #openAt: number | undefined;
  #opening: Promise<RecordWrite> | undefined;
  #openGeneration = 0;
  /** Counts completed (re)openings: an answer "the record is missing" to a call made before the last one is stale. */
  #openings = 0;
  #recordVersion = 0;
  #savedVersion = 0;
  #snapshot: VerifiedSnapshot | undefined;
  /** Bumped by every new snapshot and every rebuild (which drops the stored one); the snapshot is written when saved < this. */
  #snapshotVersion = 0;
  #savedSnapshotVersion = 0;
  #listener: JournalListener = IGNORE;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  #failing = false;
  /**
   * Set once the match ended: nothing more is written. A renewal or seat save still under way
   * would otherwise write the record after the end, which makes the match active again, and
   * another process would resume a finished match (and remove its journal before its replay is read).
   */
  #finished = false;

  private constructor(store: MatchStore, record: PersistedMatch, openAt: number | undefined, options: JournalOptions) {
    this.#store = store;
    this.#record = record;
    this.#openAt = openAt;
    this.#owner = { processId: matchMaker.processId, leaseTtlMs: LEASE_TTL_MS };
    this.outageLimitMs = options.outageLimitMs ?? DEFAULT_STORE_OUTAGE_LIMIT_MS;
  }

  /** Journals a match that starts now: its journal begins at the match's first frame. */
  static open(store: MatchStore, record: PersistedMatch, options: JournalOptions = {}): MatchJournal {
    const journal = new MatchJournal(store, record, record.match.start_frame, options);
    journal.#start();
    return journal;
  }

  /** Journals a match resumed from `store` (this process holds its claim): frames continue after the stored ones. */
  static resume(store: MatchStore, record: PersistedMatch, options: JournalOptions = {}): MatchJournal {
    const journal = new MatchJournal(store, { ...record, status: "running" }, undefined, options);
    journal.#recordVersion = 1; // the record says "handover" or names the old process's state: rewrite it
    journal.#start();
    return journal;
  }

  /** The journaled match's room id. */
  get roomId(): string {
    return this.#record.roomId;
  }

  /** Receives the journal's news (one listener: the frame publisher). */
  listen(listener: JournalListener): void {
    this.#listener = listener;
  }

  /** Stores frames `firstFrame`, … (opening the journal first if needed). Rejects if the store cannot be reached. */
  async store(firstFrame: number, frames: readonly Uint8Array[]): Promise<FramesWrite> {
    try {
      const opened = await this.#ensureOpen();
      if (opened.status !== "ok") return { status: "fenced" };
      const written = await this.#store.storeFrames(this.#owner, this.roomId, firstFrame, frames);
      this.#recovered();
      return written;
    } catch (error) {
      this.#reportFailure("store the frames of", error);
      throw error;
    }
  }

  /** The store lost the journal (or part of it): write it again from `firstFrame`, the oldest frame this process still has. */
  rebuild(firstFrame: number): void {
    this.#openAt = firstFrame;
    this.#openGeneration++;
    // Reopening empties the record: the snapshot (if still within the rebuilt journal) is written again after it.
    if (this.#snapshot !== undefined && this.#snapshot.frame + 1 >= firstFrame) this.#snapshotVersion++;
    else this.#snapshot = undefined;
    logger.warn(`lockstep: the journal of ${this.roomId} is missing from the store; rebuilding it from frame ${firstFrame}`);
  }

  /** Records the current seats (on join, reconnection, leave): a resumed room lets exactly these sessions back. Retried until written. */
  saveSeats(seats: readonly PersistedSeat[], history: ReplayHistory | undefined): void {
    this.#record = { ...this.#record, seats, ...(history !== undefined ? { history } : {}) };
    this.#recordVersion++;
    void this.#saveRecord().catch((error: unknown) => this.#reportFailure("save the seats of", error));
  }

  /** Keeps `snapshot` as the match's latest verified one; written now, or by the next renewal if the store is out of reach. */
  saveSnapshot(snapshot: VerifiedSnapshot): void {
    this.#snapshot = snapshot;
    this.#snapshotVersion++;
    void this.#saveSnapshot().catch((error: unknown) => this.#reportFailure("save the snapshot of", error));
  }

  /** Graceful stop, after every frame is stored: marks the match for another process to resume. False if it could not. */
  async handover(): Promise<boolean> {
    this.stop();
    if (this.#openAt !== undefined) return false;
    this.#record = { ...this.#record, status: "handover" };
    this.#recordVersion++;
    const written = await this.#saveRecord();
    return written.status === "ok";
  }

  /**
   * Gives up the lease and tells the other processes, after the room's listing is gone
   * (Colyseus removes it while the room disposes, right after this is called).
   */
  releaseForResume(): void {
    setImmediate(() => {
      this.#store
        .releaseLease(this.roomId, this.#owner.processId)
        .then(() => matchMaker.presence?.publish(RECOVERY_CHANNEL, this.roomId))
        .catch((error: unknown) => logger.error(`lockstep: could not hand over ${this.roomId}: ${(error as Error).message}`));
    });
  }

  /** The match ended: it is no longer resumable; its data expires after the retention period. With `replay`, it waits for its replay to be written (see `MatchStore.finish`). */
  async finish(replay?: ReplayHeader): Promise<void> {
    this.#finished = true;
    this.stop();
    await this.#store.finish(this.#owner, this.roomId, FINISHED_MATCH_RETENTION_SECONDS, replay);
  }

  /** Every stored frame (for the replay, once the match ended). Throws if the journal is gone or cannot be trusted. */
  async frames(): Promise<FrameRunSource> {
    const frames = await this.#store.finishedFrames(this.roomId);
    if (frames === undefined) throw new ReplayFramesGone(`the journal of ${this.roomId} is gone from the store`);
    return frames;
  }

  /** Removes the finished match's journal (its replay is in the database). */
  async discard(): Promise<void> {
    await this.#store.remove(this.roomId);
  }

  /** Stops renewing the lease (the room is going away). */
  stop(): void {
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  #start(): void {
    this.#renewTimer = setInterval(() => void this.#renew(), LEASE_RENEW_MS);
    this.#renewTimer.unref();
    void this.#renew();
  }

  #ensureOpen(): Promise<RecordWrite> {
    const firstFrame = this.#openAt;
    if (firstFrame === undefined) return Promise.resolve(OK);
    if (this.#opening === undefined) {
      const generation = this.#openGeneration;
      const version = this.#recordVersion;
      this.#opening = this.#store
        .openJournal(this.#owner, this.#record, firstFrame)
        .then((written) => {
          if (written.status === "ok") this.#openings++;
          if (written.status === "ok" && generation === this.#openGeneration) {
            this.#openAt = undefined;
            this.#savedVersion = Math.max(this.#savedVersion, version);
            void this.#saveSnapshot().catch((error: unknown) => this.#reportFailure("save the snapshot of", error));
          }
          return written;
        })
        .finally(() => (this.#opening = undefined));
    }
    return this.#opening;
  }

  async #saveRecord(): Promise<RecordWrite> {
    if (this.#finished) return OK;
    // Until the journal exists, opening it writes the latest record.
    if (this.#openAt !== undefined || this.#savedVersion === this.#recordVersion) return OK;
    const version = this.#recordVersion;
    const openings = this.#openings;
    const written = await this.#store.saveMatch(this.#owner, this.#record);
    if (written.status === "ok") this.#savedVersion = Math.max(this.#savedVersion, version);
    else if (written.status === "fenced") this.#listener.fenced();
    else this.#recordMissing(openings);
    return written;
  }

  /** Writes the latest snapshot if it is not stored yet. A missing record is left to the renewal, which rebuilds the journal. */
  async #saveSnapshot(): Promise<void> {
    const snapshot = this.#snapshot;
    if (this.#finished || snapshot === undefined || this.#openAt !== undefined || this.#savedSnapshotVersion === this.#snapshotVersion) return;
    const version = this.#snapshotVersion;
    const written = await this.#store.saveSnapshot(this.#owner, this.roomId, snapshot);
    if (written.status === "ok") this.#savedSnapshotVersion = Math.max(this.#savedSnapshotVersion, version);
    else if (written.status === "fenced") this.#listener.fenced();
  }

  /**
   * The store answered that the record is missing, to a call made after `openings` openings.
   * Rebuilding empties the journal before writing it again, so a stale answer (the journal
   * was rebuilt since) must not start another rebuild.
   */
  #recordMissing(openings: number): void {
    if (openings === this.#openings && this.#openAt === undefined) this.#listener.recordLost();
  }

  /** Once a second: keep the lease, notice a lost record, write seats that failed to save. */
  async #renew(): Promise<void> {
    if (this.#renewing || this.#finished) return;
    this.#renewing = true;
    try {
      const openings = this.#openings;
      const renewal = await this.#store.renewLease(this.#owner, this.roomId);
      if (!renewal.held) {
        this.stop();
        this.#listener.fenced();
        return;
      }
      if (!renewal.recordExists) this.#recordMissing(openings);
      else {
        await this.#saveRecord();
        await this.#saveSnapshot();
      }
      this.#recovered();
    } catch (error) {
      this.#reportFailure("renew the lease of", error);
    } finally {
      this.#renewing = false;
    }
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    logger.info(`lockstep: the journal of ${this.roomId} is being written again`);
  }

  /** One line per outage, not one per attempt. */
  #reportFailure(what: string, error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    logger.warn(`lockstep: could not ${what} ${this.roomId} (${(error as Error).message}); retrying`);
  }
}

/**
 * The persistence a process gives its rooms when matches are kept in `store`: a starting match
 * opens a {@link MatchJournal}; a match claimed by `recovery` is handed to the room created
 * under its id and continues its journal.
 */
export function storePersistence(
  store: MatchStore,
  recovery: { take(roomId: string): ResumeTicket | undefined },
  options: JournalOptions = {},
): MatchPersistence {
  return {
    open: (record) => MatchJournal.open(store, record, options),
    resume: (record) => MatchJournal.resume(store, record, options),
    take: (roomId) => recovery.take(roomId),
  };
}
