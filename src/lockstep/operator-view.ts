import type { MatchPhase, MatchStartMessage } from "../protocol/messages.ts";
import type { DesyncStats } from "./desync-watch.ts";
import type { LockstepOptions } from "./options.ts";
import type { FrameLog } from "./frame-log.ts";
import type { RecentLateness } from "./recent-lateness.ts";
import type { LockstepPlayer } from "./roster.ts";

/** A player as an operator sees it (the room view): who, where, whether connected, and how its inputs fared. */
export interface OperatorPlayer {
  readonly uid: string;
  readonly name: string;
  readonly slot: number;
  readonly role: string;
  readonly ready: boolean;
  readonly connected: boolean;
  /** When its connection dropped (ISO time), while the seat is held for it; null when connected. */
  readonly dropped_since: string | null;
  readonly actions_accepted: number;
  readonly actions_refused: number;
}

/** The tick lateness of the last minute (bucket bounds, see `RecentLateness`); null figures before any tick. */
export interface OperatorLateness {
  readonly ticks: number;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
}

/** What the frame log holds. */
export interface OperatorLog {
  readonly oldest_frame: number | null;
  readonly newest_frame: number | null;
  readonly frames: number;
  readonly bytes: number;
}

/** What an operator sees of a match: the admin routes' `GET /admin/rooms/:roomId` and the monitor's room view. */
export interface MatchInspection {
  readonly roomId: string;
  readonly roomName: string;
  /** The process that runs the room. */
  readonly processId: string;
  readonly phase: MatchPhase;
  /** The last frame sent (-1 before the first). */
  readonly lastFrame: number;
  readonly frame_rate: number;
  /** Seed, start frame and roster at the start; undefined while waiting. */
  readonly match: MatchStartMessage | undefined;
  /** The room's settings (defaults included). */
  readonly settings: LockstepOptions;
  readonly players: readonly OperatorPlayer[];
  readonly spectators: number;
  readonly lateness: OperatorLateness;
  readonly log: OperatorLog;
  readonly snapshot_frame: number | undefined;
  /** Checksum statistics (desyncs found), when checksums are on. */
  readonly checksums: DesyncStats | undefined;
  /** Where this match's desync reports are listed (with a report store), when checksums are on. */
  readonly desync_reports: string | undefined;
  /** The replay this match is recorded as (`GET /replays/:id` once it ended), when replays are kept. */
  readonly replay_id: string | undefined;
}

/**
 * The listing metadata a lockstep room keeps for the monitor's rooms grid: each key is a column
 * (see `LOCKSTEP_MONITOR_COLUMNS` in `colyseus-lockstep/monitor`).
 */
export interface ListingStats {
  readonly phase: MatchPhase;
  /** The last frame sent (-1 before the first). */
  readonly frame: number;
  /** Frames per second. */
  readonly rate: number;
  readonly seated: number;
  readonly connected: number;
  readonly spectators: number;
  /** p99 tick lateness of the last minute, e.g. `"0.5 ms"` (a bucket bound), or `"-"` before any tick. */
  readonly "tick p99": string;
  /** e.g. `"3600 frames, 42.1 KiB"`. */
  readonly log: string;
}

/** The room view's entry of `player`. */
export function operatorPlayer(player: LockstepPlayer): OperatorPlayer {
  return {
    uid: player.uid,
    name: player.name,
    slot: player.slot,
    role: player.role,
    ready: player.ready,
    connected: player.connected,
    dropped_since: player.droppedAt === undefined ? null : new Date(player.droppedAt).toISOString(),
    actions_accepted: player.actionsAccepted,
    actions_refused: player.actionsRefused,
  };
}

/** The last minute's tick lateness as of `nowMs`. */
export function operatorLateness(recent: RecentLateness, nowMs: number): OperatorLateness {
  const p50 = recent.summary(0.5, nowMs);
  const p99 = recent.summary(0.99, nowMs);
  return { ticks: p99?.ticks ?? 0, p50_ms: p50?.percentileMs ?? null, p99_ms: p99?.percentileMs ?? null, max_ms: p99?.maxMs ?? null };
}

/** The log's bounds and size. */
export function operatorLog(log: FrameLog): OperatorLog {
  const empty = log.size === 0;
  return { oldest_frame: empty ? null : log.firstFrame, newest_frame: empty ? null : log.lastFrame, frames: log.size, bytes: log.storedBytes };
}

/** The grid's values of a room. */
export function listingStats(input: {
  readonly phase: MatchPhase;
  readonly frame: number;
  readonly rate: number;
  readonly players: readonly LockstepPlayer[];
  readonly spectators: number;
  readonly lateness: OperatorLateness;
  readonly log: OperatorLog;
}): ListingStats {
  const { lateness, log } = input;
  return {
    phase: input.phase,
    frame: input.frame,
    rate: input.rate,
    seated: input.players.length,
    connected: input.players.filter((player) => player.connected).length,
    spectators: input.spectators,
    "tick p99": lateness.p99_ms === null ? "-" : `${lateness.p99_ms} ms`,
    log: `${log.frames} frames, ${(log.bytes / 1024).toFixed(1)} KiB`,
  };
}
