/**
 * What the server found when players' state hashes disagreed. The `desync` message every
 * client receives is the notice (see `DesyncNotice` in the protocol); the stored report adds
 * the players' state dumps and the paths where they differ. Keys are snake_case, as on the wire.
 */
import type { DesyncNotice } from "../protocol/desync-messages.ts";

export type { DesyncGroup, DesyncMatchSettings, DesyncNotice } from "../protocol/desync-messages.ts";

/** One player's state at the diverging frame, as it uploaded it on the server's request. */
export interface DesyncDump {
  readonly uid: string;
  readonly slot: number;
  /** Index of the player's group in the report's `groups`. */
  readonly group: number;
  readonly format: "json" | "msgpack";
  /** The decoded state. */
  readonly state: unknown;
}

/** A place where the dumps differ: a path (`players[1].x`) and its value in each dump, in the order of `dumps` (undefined where absent: `null` once stored or downloaded as JSON). */
export interface DesyncDiffEntry {
  readonly path: string;
  readonly values: readonly unknown[];
}

/** The stored report: the notice, the dumps the server could collect, and their differences. */
export interface DesyncReport extends DesyncNotice {
  readonly dumps: readonly DesyncDump[];
  /** Paths whose values differ between the dumps (at most a bounded number, see `diff_truncated`). */
  readonly diff: readonly DesyncDiffEntry[];
  /** True if more paths differed than the report keeps. */
  readonly diff_truncated: boolean;
  /** `complete`: a dump from every group; `partial`: some; `none`: no player answered in time (or dumps are off). */
  readonly dump_status: "complete" | "partial" | "none";
}

/** One line of a report listing. */
export interface DesyncReportSummary {
  readonly id: string;
  readonly room_id: string;
  readonly room_name: string;
  readonly frame: number;
  readonly outliers: readonly string[];
  readonly parts: readonly string[];
  readonly created_at: string;
}

/** Where a room writes its desync reports (the accounts database in the demo). */
export interface DesyncReportSink {
  /** Stores a finished report. Rejects if the store cannot be reached (the room logs it; the match is not affected). */
  save(report: DesyncReport): Promise<void>;
}

/** A listing of desync reports: ordered by `created_at`, then id, both descending. */
export interface DesyncReportQuery {
  /** Page size, 1..100. */
  readonly limit: number;
  /** Only reports created strictly before this ISO time, or (with {@link beforeId}) at it with a smaller id. */
  readonly before?: string;
  /** With {@link before}: the id of the previous page's last report, so that reports of the same millisecond come next. */
  readonly beforeId?: string;
  /** Only this room's reports. */
  readonly roomId?: string;
}

/** A report store an operator can read. */
export interface DesyncReportStore extends DesyncReportSink {
  /** Reports newest first (then by id, descending), as {@link DesyncReportQuery} filters and pages them. */
  list(query: DesyncReportQuery): Promise<DesyncReportSummary[]>;
  get(id: string): Promise<DesyncReport | undefined>;
}
