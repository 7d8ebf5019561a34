import type { MatchEndMessage } from "../protocol/messages.ts";

/** What a replay listing shows of one match (the document's header, in short). */
export interface ReplaySummary {
  readonly id: string;
  readonly room_id: string;
  readonly room_name: string;
  readonly started_at: string;
  readonly ended_at: string;
  readonly end_reason: MatchEndMessage["reason"];
  readonly start_frame: number;
  readonly last_frame: number;
  readonly frame_rate: number;
  /** Everyone who held a seat, in the order they took it. */
  readonly players: readonly { readonly uid: string; readonly name: string }[];
  /** Readable by anyone logged in (the room's `replaysPublic`), not only by its players and admins. */
  readonly public: boolean;
  /** Size of the stored document, in bytes. */
  readonly size_bytes: number;
}

/** A replay as stored: its summary and the whole document (see `readReplayDocument`). */
export interface StoredReplay {
  readonly summary: ReplaySummary;
  readonly document: Uint8Array;
}

/**
 * A listing's filters. Times are ISO 8601. Listings are ordered by `ended_at`, then id, both
 * descending; `before` and `beforeId` page through that order.
 */
export interface ReplayQuery {
  /** Page size, clamped to 1..100. */
  readonly limit: number;
  /** Only matches that ended strictly before this time, or (with {@link beforeId}) at it with a smaller id. */
  readonly before?: string;
  /**
   * With {@link before}: the id of the last summary of the previous page, so that matches that
   * ended in the same millisecond and did not fit on it come next. Ignored without `before`.
   */
  readonly beforeId?: string;
  /** Only matches that ended at or after this time. */
  readonly since?: string;
  readonly roomName?: string;
  /** Only matches this uid played in. */
  readonly player?: string;
  /**
   * Only matches this uid may see: those it played in (with `includePublic`, also public ones).
   * Absent: every match (the admin's view).
   */
  readonly visibleTo?: string;
  readonly includePublic?: boolean;
}

/**
 * Durable storage of finished matches' replays (the accounts database: `SqlReplayStore`).
 * Saving the same id again changes nothing, so a retried write cannot duplicate a replay.
 */
export interface ReplayStore {
  save(replay: StoredReplay): Promise<void>;
  /** Summaries, newest `ended_at` first (then by id, descending). */
  list(query: ReplayQuery): Promise<ReplaySummary[]>;
  /** One replay's summary (who played, whether it is public), without reading its document; undefined if unknown. */
  summary(id: string): Promise<ReplaySummary | undefined>;
  get(id: string): Promise<StoredReplay | undefined>;
  /** Deletes one replay; false if there was none. */
  delete(id: string): Promise<boolean>;
  /** Deletes replays of matches that ended before `time`; returns how many. */
  deleteEndedBefore(time: Date): Promise<number>;
}
