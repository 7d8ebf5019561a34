import type { MatchStartMessage } from "../protocol/messages.ts";
import type { ReplayHistory } from "./replay-recorder.ts";
import type { VerifiedSnapshot } from "./snapshot-keeper.ts";

/*
 * The shapes in which a running match is persisted so that it can outlive its process: what a
 * room writes into its journal and reads back when it resumes. The scaling module stores them
 * (in Redis); the core only produces and consumes them.
 */

/** A seat as persisted: enough to let the same session reconnect to a resumed room. */
export interface PersistedSeat {
  readonly sessionId: string;
  /** The Colyseus reconnection token the client holds (without the `roomId:` prefix). */
  readonly reconnectionToken: string;
  readonly uid: string;
  readonly name: string;
  readonly role: string;
  readonly slot: number;
  /** The verified auth data (token claims) the seat was taken with. */
  readonly auth: unknown;
}

/** Where a persisted match stands. `handover`: its process is stopping gracefully and wants it resumed elsewhere. */
export type PersistedStatus = "running" | "handover";

/** A running match as persisted, next to its frames. */
export interface PersistedMatch {
  readonly roomId: string;
  readonly roomName: string;
  readonly match: MatchStartMessage;
  readonly seats: readonly PersistedSeat[];
  readonly status: PersistedStatus;
  /** Who held a seat when, for the match's replay (absent from records written before replays existed). */
  readonly history?: ReplayHistory;
}

/** A persisted match and its frames: `frames[i]` is frame `firstFrame + i`, exact bytes, no gap. */
export interface StoredMatch {
  readonly match: PersistedMatch;
  /** The journal's first frame: the match's first frame, or later if the journal was rebuilt from a process's memory. */
  readonly firstFrame: number;
  readonly frames: readonly Uint8Array[];
  /** The match's latest verified snapshot, if one was taken (see `SnapshotKeeper`). */
  readonly snapshot?: VerifiedSnapshot;
}

/** Outcome of a fenced write of frames. */
export type FramesWrite =
  /** Every frame given is stored; `lastFrame` is the highest frame the journal now holds. */
  | { readonly status: "stored"; readonly lastFrame: number }
  | { readonly status: "fenced" }
  | { readonly status: "missing" }
  /** Refused: the journal ends before the first frame given (it holds frames up to `nextFrame - 1`); storing would leave a hole. */
  | { readonly status: "behind"; readonly nextFrame: number }
  /** Refused: `frame` is already stored with different bytes (another process wrote this match). */
  | { readonly status: "conflict"; readonly frame: number };
