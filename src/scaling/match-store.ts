import type { FramesWrite, PersistedMatch, StoredMatch } from "../lockstep/persisted-match.ts";
import type { FrameRunSource } from "../lockstep/replay-archive.ts";
import type { ReplayHeader } from "../protocol/replay-format.ts";
import type { VerifiedSnapshot } from "../lockstep/snapshot-keeper.ts";

export type { FramesWrite, PersistedMatch, PersistedSeat, PersistedStatus, StoredMatch } from "../lockstep/persisted-match.ts";

/**
 * Who writes to a match's journal. Every write is fenced by the lease: it is applied only if
 * the lease is `processId`'s, or if no lease is alive and no other process has claimed the
 * match (the write then takes the lease for `leaseTtlMs`). A process that lost the match to
 * another can therefore never add to its journal.
 */
export interface JournalOwner {
  readonly processId: string;
  readonly leaseTtlMs: number;
}

/** Outcome of a fenced write of a match's record. */
export type RecordWrite =
  /** Written. */
  | { readonly status: "ok" }
  /** Refused: another process holds the lease or has claimed the match. */
  | { readonly status: "fenced" }
  /** Refused: the record is gone (the store lost its data): the owner must rebuild the journal. */
  | { readonly status: "missing" };

/** What a lease renewal learns. */
export interface LeaseRenewal {
  /** The lease is the caller's (renewed or taken); false: another process holds it or has claimed the match. */
  readonly held: boolean;
  /** The match's record exists; false after the store lost its data. */
  readonly recordExists: boolean;
}

/** Stable codes of {@link JournalError}. */
export const JournalErrorCode = {
  /** A frame number is missing between the journal's first frame and its last: the match cannot be resumed exactly. */
  JOURNAL_HOLE: "JOURNAL_HOLE",
  /** Stored frames repeat or go back, or the record lacks its first frame: the journal cannot be trusted. */
  JOURNAL_CORRUPT: "JOURNAL_CORRUPT",
} as const;
/** A code of {@link JournalError}. */
export type JournalErrorCode = (typeof JournalErrorCode)[keyof typeof JournalErrorCode];

/** A stored journal that must not be resumed (see {@link JournalErrorCode}). */
export class JournalError extends Error {
  readonly code: JournalErrorCode;
  readonly roomId: string;

  constructor(code: JournalErrorCode, roomId: string, message: string) {
    super(`${code}: match ${roomId}: ${message}`);
    this.name = "JournalError";
    this.code = code;
    this.roomId = roomId;
  }
}

/**
 * Durable storage of running matches, so a match outlives its process. A match's frames are
 * addressed by frame number: a write names the number of its first frame and is refused if
 * it would leave a hole; storing a frame again with the same bytes changes nothing. A lease
 * says which process owns a match and fences every write (see {@link JournalOwner}); a claim
 * lets exactly one process resume an orphaned match. Implementations: `RedisMatchStore`
 * (shared by every process) and `MemoryMatchStore` (one process, in `test/support/`: the reference the contract suite checks);
 * `test/contract/match-store.contract.ts` runs over both.
 */
export interface MatchStore {
  /**
   * Starts or rebuilds a match's journal: writes the record, empties the frames, sets the
   * journal's first frame and lists the match as active. Never answers `missing`.
   */
  openJournal(owner: JournalOwner, match: PersistedMatch, firstFrame: number): Promise<RecordWrite>;
  /** Replaces the record of an existing journal (seats, status). */
  saveMatch(owner: JournalOwner, match: PersistedMatch): Promise<RecordWrite>;
  /** Stores frames `firstFrame`, `firstFrame + 1`, … in one atomic write. */
  storeFrames(owner: JournalOwner, roomId: string, firstFrame: number, frames: readonly Uint8Array[]): Promise<FramesWrite>;
  /** The match and its frames; undefined if there is no record. Throws {@link JournalError} if the journal has a hole or is corrupt. */
  loadMatch(roomId: string): Promise<StoredMatch | undefined>;
  /** Extends the caller's lease, or takes it if no lease is alive and no other process has claimed the match. */
  renewLease(owner: JournalOwner, roomId: string): Promise<LeaseRenewal>;
  /** Drops the lease if it is `processId`'s. */
  releaseLease(roomId: string, processId: string): Promise<void>;
  /** The lease holder's process id, if the lease is alive. */
  leaseHolder(roomId: string): Promise<string | undefined>;
  /** Ids of active (running or handed over) matches. */
  activeMatches(): Promise<string[]>;
  /**
   * Keeps `snapshot` (verified by the owner against the players' agreed checksum) as the
   * match's latest, replacing the previous one; a resumed room serves it. Fenced; `missing` if
   * the journal is gone. A rebuilt journal (`openJournal`) starts without one.
   */
  saveSnapshot(owner: JournalOwner, roomId: string, snapshot: VerifiedSnapshot): Promise<RecordWrite>;
  /** Takes the right to resume an orphaned match for `ttlMs`: true for exactly one caller, and only while the match is active and no lease is alive. */
  claim(roomId: string, processId: string, ttlMs: number): Promise<boolean>;
  /**
   * The match ended: no longer active, lease dropped; its data is kept `retainSeconds`, then
   * dropped. With `replay` (its replay's header), the match is also listed among the
   * {@link pendingReplays} until {@link remove}: a process that dies before writing the replay
   * leaves it for another to write. Fenced.
   */
  finish(owner: JournalOwner, roomId: string, retainSeconds: number, replay?: ReplayHeader): Promise<RecordWrite>;
  /**
   * The match cannot be resumed (see {@link JournalError}): it leaves the active set so that no
   * process tries again, its record is marked with `reason`, and its data expires after
   * `retainSeconds` (for inspection). Fenced (the caller holds the claim).
   */
  quarantine(owner: JournalOwner, roomId: string, reason: string, retainSeconds: number): Promise<RecordWrite>;
  /** Deletes a finished match's data and its pending replay (the replay is stored elsewhere). An active match is left alone: false. */
  remove(roomId: string): Promise<boolean>;
  /** Ids of ended matches whose replay is not written yet (see {@link finish}). */
  pendingReplays(): Promise<string[]>;
  /**
   * When a pending replay's match ended (ISO), without reading its header (which may carry a
   * megabyte of snapshots) or frames: a scan decides from it whether the replay is due.
   * Undefined (and no longer pending) if its data expired.
   */
  pendingReplayEnd(roomId: string): Promise<string | undefined>;
  /**
   * A pending replay's header alone, without reading its frames (read once the replay is due);
   * undefined (and no longer pending) if its data expired.
   */
  pendingReplayHeader(roomId: string): Promise<ReplayHeader | undefined>;
  /**
   * A finished match's frames, for its replay: read a slice at a time and kept as runs of frames
   * back to back (`FrameBytesRun`), so that an hour-long match is neither one reply holding the
   * event loop for tens of milliseconds nor 100,000 objects. Undefined if there is no record.
   * Throws `JournalError` on a hole or a frame out of place.
   */
  finishedFrames(roomId: string): Promise<FrameRunSource | undefined>;
  close(): Promise<void>;
}
