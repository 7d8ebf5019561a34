import type { IRoomCache } from "@colyseus/core";
import type { FrameJournal } from "./frame-publisher.ts";
import type { PersistedMatch, PersistedSeat, StoredMatch } from "./persisted-match.ts";
import type { ReplayHistory } from "./replay-recorder.ts";
import type { ReplayHeader } from "../protocol/replay-format.ts";
import type { FrameRunSource } from "./replay-archive.ts";
import type { VerifiedSnapshot } from "./snapshot-keeper.ts";

/**
 * The journal of one running match, as its room drives it: frames (through the frame
 * publisher), seats, and the match's end or hand-over. The scaling module implements it.
 */
export interface RoomJournal extends FrameJournal {
  /** Records the current seats (on join, reconnection, leave): a resumed room lets exactly these sessions back; and the replay's history. */
  saveSeats(seats: readonly PersistedSeat[], history: ReplayHistory | undefined): void;
  /** Keeps `snapshot` as the match's latest verified one (retried until written), so that the process resuming the match serves it. */
  saveSnapshot(snapshot: VerifiedSnapshot): void;
  /** Graceful stop, after every frame is stored: marks the match for another process to resume. False if it could not. */
  handover(): Promise<boolean>;
  /** Gives up ownership and tells the other processes, once the room is gone. */
  releaseForResume(): void;
  /** The match ended: it is no longer resumable. With `replay` (its replay's header), the journal is kept until the replay is written (`discard`), by this process or, if it dies first, another. */
  finish(replay?: ReplayHeader): Promise<void>;
  /** Stops keeping the match (the room is going away without a hand-over). */
  stop(): void;
  /** Every stored frame of the match (after it ended: the whole match, whichever processes ran it), for its replay. */
  frames(): Promise<FrameRunSource>;
  /** The match's replay is in the database: its journal is removed. */
  discard(): Promise<void>;
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
