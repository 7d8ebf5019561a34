import type { FrameEventKind, LockstepErrorCode, MatchPhase as ServerMatchPhase, PlayerInfo } from "../../src/protocol/index.ts";

export type { FrameEventKind, LockstepErrorCode, PlayerInfo };

/**
 * Where a match stands, as this client sees it: the server's phases (`waiting` for players,
 * `running`, `ended` once `match_end` arrived), then `closed` once this client's connection is
 * gone for good (closed by the server, left, or reconnection gave up; see `onClose`). A match
 * that ended normally is `closed` too once the room closes: its `end` is what tells.
 */
export type MatchPhase = ServerMatchPhase | "closed";

/**
 * The action type of a server room, for typing `sendAction`: pass the room class's instance
 * type (`ActionOf<ArenaRoom>`, through `import type`) or the action type itself.
 */
export type ActionOf<T> = T extends { readonly "~action"?: infer A } ? A : T;

/** One action of a frame. */
export interface FrameActionOf<TAction> {
  readonly slot: number;
  /** The sender's uid (resolved from the slot). */
  readonly uid: string;
  readonly action: TAction;
}

/** A roster change inside a frame (see `FrameEventKind`). */
export interface FrameRosterEvent {
  readonly slot: number;
  readonly uid: string;
  readonly kind: FrameEventKind;
}

/** A delivered frame. */
export interface LockstepFrame<TAction> {
  /** The frame number: consecutive, delivered exactly once, in order. */
  readonly frame: number;
  /** Actions in server arrival order. */
  readonly actions: readonly FrameActionOf<TAction>[];
  /** Roster events of this frame, in arrival order. */
  readonly events: readonly FrameRosterEvent[];
}

/** The match as `match_start` announced it. */
export interface MatchInfo {
  readonly players: readonly PlayerInfo[];
  /** Seed for the game's deterministic RNG (see `createRandom`). */
  readonly seed: number;
  readonly frameRate: number;
  readonly startFrame: number;
  /** Every how many frames `run()` sends the state's hash (0: checksums are off in this room). */
  readonly checksumInterval: number;
  /**
   * With the client's `snapshots` option (or in a replay that seeks from one): the verified
   * state after `frame` this start begins from (frames are delivered from `frame + 1`); `run`
   * hands it to its `load` option.
   */
  readonly snapshot?: { readonly frame: number; readonly state: unknown };
}

/** How a match ended. */
export interface MatchEnd {
  readonly reason: "ended" | "abandoned" | "log_full" | "desync";
  readonly result?: unknown;
  readonly lastFrame: number;
  /** The match's replay id, when the server keeps replays: load it with `loadReplay(\`${server}/replays/${replayId}\`, { token })` (written shortly after the end). */
  readonly replayId?: string;
}

/** A player who left. */
export interface PlayerLeft {
  readonly uid: string;
  readonly slot: number;
  readonly reason: "left" | "kicked";
}

/** Codes of the errors the SDK raises itself, next to the server's `LockstepErrorCode`s. */
export const ClientErrorCode = {
  /** A request failed without a coded answer from the server (e.g. it timed out). */
  REQUEST_FAILED: "REQUEST_FAILED",
  /** The connection dropped before the answer came; ask again after `onReconnect`. */
  CONNECTION_LOST: "CONNECTION_LOST",
  /** The match is closed (`details.close_code` says how): nothing can be asked any more. */
  MATCH_CLOSED: "MATCH_CLOSED",
  /** Data from the server could not be decoded. */
  PROTOCOL_ERROR: "PROTOCOL_ERROR",
} as const;

/** One of {@link ClientErrorCode}'s values. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An error reported to `onError` (a refused message, a failed catch-up, a protocol problem) or thrown by `requestFrames`. */
export class LockstepClientError extends Error {
  /** A `LockstepErrorCode` from the server, or a {@link ClientErrorCode} (`PROTOCOL_*` for undecodable server data). */
  readonly code: LockstepErrorCode | string;
  /** The message type that was refused, when the server said. */
  readonly type: string | undefined;
  readonly details: Readonly<Record<string, number | string>> | undefined;

  constructor(code: string, message: string, type?: string, details?: Readonly<Record<string, number | string>>) {
    super(message);
    this.name = "LockstepClientError";
    this.code = code;
    this.type = type;
    this.details = details;
  }
}
