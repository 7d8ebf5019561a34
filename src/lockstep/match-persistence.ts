import type { IRoomCache } from "@colyseus/core";
import type { FrameJournal } from "./frame-publisher.ts";
import type { PersistedMatch, PersistedSeat, StoredMatch } from "./persisted-match.ts";

/**
 * The journal of one running match, as its room drives it: frames (through the frame
 * publisher), seats, and the match's end or hand-over. The scaling module implements it.
 */
export interface RoomJournal extends FrameJournal {
  /** Records the current seats (on join, reconnection, leave): a resumed room lets exactly these sessions back. */
  saveSeats(seats: readonly PersistedSeat[]): void;
  /** Graceful stop, after every frame is stored: marks the match for another process to resume. False if it could not. */
  handover(): Promise<boolean>;
  /** Gives up ownership and tells the other processes, once the room is gone. */
  releaseForResume(): void;
  /** The match ended: it is no longer resumable. */
  finish(): Promise<void>;
  /** Stops keeping the match (the room is going away without a hand-over). */
  stop(): void;
}

/** A match that this process claimed, handed to the room that resumes it. */
export interface ResumeTicket {
  readonly stored: StoredMatch;
  /**
   * Resolves with the room's listing once Colyseus has listed the room under its id (only
   * after `onCreate`: anything that updates the listing, such as `lock()`, must wait for it);
   * rejects if the room was not created.
   */
  readonly listed: Promise<IRoomCache>;
}

/**
 * What makes matches outlive their process: `createScalingBackends` provides one when Redis is
 * configured. Without it, a match lives and dies with its process.
 */
export interface MatchPersistence {
  /** Starts the journal of a match that starts now on this process. */
  open(record: PersistedMatch): RoomJournal;
  /** Continues the journal of a match this process resumes. */
  resume(record: PersistedMatch): RoomJournal;
  /** The claimed match waiting for the room being created under `roomId`, once; undefined for a new room. */
  take(roomId: string): ResumeTicket | undefined;
}
