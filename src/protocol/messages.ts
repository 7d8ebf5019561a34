/**
 * Message types carried with a msgpack payload (Colyseus `ROOM_DATA`). Low-frequency control
 * traffic keeps the project's readable names.
 */
export const ControlMessage = {
  /** server → all: a player took a seat. Payload {@link PlayerInfo}. */
  ROOM_ENTER: "room_enter",
  /** server → all: a player left for good. Payload {@link RoomLeaveMessage}. */
  ROOM_LEAVE: "room_leave",
  /** client → server: "I am ready" (payload optional: `{ ready: false }` to take it back).
   *  server → all: a player's readiness changed. Payload {@link RoomPrepareMessage}. */
  ROOM_PREPARE: "room_prepare",
  /** server → all: a player's connection dropped; the seat is held. Payload {@link PlayerInfo}. */
  ROOM_DROP: "room_drop",
  /** server → all: a dropped player is back. Payload {@link PlayerInfo}. */
  ROOM_RECONNECT: "room_reconnect",
  /** server → one client, on join and on reconnection: where the room stands. Payload {@link RoomInfoMessage}. */
  ROOM_INFO: "room_info",
  /** server → all: this process is stopping; the match moves to another one. Reconnect (the SDK does). Payload `{ room_id, last_frame }`. */
  ROOM_HANDOVER: "room_handover",
  /** server → all: the match started. Payload {@link MatchStartMessage}. */
  MATCH_START: "match_start",
  /** server → all: the match is over; the room closes right after. Payload {@link MatchEndMessage}. */
  MATCH_END: "match_end",
  /** client → server: one input, msgpack-encoded by Colyseus (the binary form is {@link BinaryMessage.SYNC_ACTION}). */
  SYNC_ACTION: "sync_action",
  /** client → server: send me frames. Payload {@link ReloadRequest}; works with `send` and with `request`. */
  SYNC_REQUEST_RELOAD_FRAMES: "sync_request_reload_frames",
  /** server → one client: a message of that client was refused. Payload {@link LockstepErrorMessage}. */
  LOCKSTEP_ERROR: "lockstep_error",
  /** server → all: the players' state hashes disagreed. Payload `DesyncNotice`. */
  DESYNC: "desync",
  /** server → one client: upload your state at a checked frame (binary {@link BinaryMessage.STATE_DUMP}). Payload `StateDumpRequest`. */
  STATE_DUMP_REQUEST: "state_dump_request",
  /** server → all: how many spectators watch the match. Payload {@link RoomSpectatorsMessage}. */
  ROOM_SPECTATORS: "room_spectators",
  /** server → one player: upload your state at a checked frame as a snapshot (binary {@link BinaryMessage.SNAPSHOT_UPLOAD}). Payload {@link SnapshotRequest}. */
  SNAPSHOT_REQUEST: "snapshot_request",
  /** server → one client, right after `room_info`: the latest verified snapshot to start from. Payload {@link SnapshotMessage}. */
  SNAPSHOT: "snapshot",
} as const;

/** One of {@link ControlMessage}'s values. */
export type ControlMessage = (typeof ControlMessage)[keyof typeof ControlMessage];

/**
 * Message types carried as raw bytes (Colyseus `ROOM_DATA_BYTES`). The hot path uses small
 * numeric types: a string type would cost its length again on every frame to every client.
 */
export const BinaryMessage = {
  /** server → all: one closed frame (see `encodeFrame`). The `sync_frame` of the vocabulary. */
  SYNC_FRAME: 1,
  /** server → one client: frames from the log (see `encodeReloadChunkHeader`). The `reload_frames` of the vocabulary. */
  RELOAD_FRAMES: 2,
  /** client → server: one input, already encoded by the client (see `encodeAction`). */
  SYNC_ACTION: 3,
  /** client → server: the hash of the client's state after a checked frame (see `encodeChecksum`). */
  SYNC_CHECKSUM: 4,
  /** client → server: one chunk of a state dump the server asked for (see `stateDumpMessages`). */
  STATE_DUMP: 5,
  /** client → server: one chunk of a snapshot the server asked for (`snapshot_request`; the `state_dump` chunk layout, JSON only). */
  SNAPSHOT_UPLOAD: 6,
} as const;

/** One of {@link BinaryMessage}'s values. */
export type BinaryMessage = (typeof BinaryMessage)[keyof typeof BinaryMessage];

/** Stable codes of `lockstep_error` messages and of rejected reload requests. */
export const LockstepErrorCode = {
  /** The message rate limit was exceeded; the message was dropped. */
  RATE_LIMITED: "RATE_LIMITED",
  /** An action arrived while no match is running. */
  MATCH_NOT_RUNNING: "MATCH_NOT_RUNNING",
  /** An action is larger than `maxActionBytes`. */
  ACTION_TOO_LARGE: "ACTION_TOO_LARGE",
  /** The player already sent `maxActionsPerFrame` actions in the open frame. */
  ACTION_LIMIT_REACHED: "ACTION_LIMIT_REACHED",
  /** The action bytes are not valid msgpack. */
  ACTION_MALFORMED: "ACTION_MALFORMED",
  /** The action does not match the room's `actionSchema`. */
  ACTION_INVALID: "ACTION_INVALID",
  /** The room's `validateAction` hook refused the action. */
  ACTION_REJECTED: "ACTION_REJECTED",
  /** A message payload has the wrong shape (e.g. a reload request without `start_frame`). */
  INVALID_REQUEST: "INVALID_REQUEST",
  /** A reload asked for frames that do not exist yet. */
  FRAME_OUT_OF_RANGE: "FRAME_OUT_OF_RANGE",
  /** A reload asked for frames the log no longer keeps (see `logOverflow`). */
  FRAME_EVICTED: "FRAME_EVICTED",
  /** Bytes that are not a well-formed message, or a payload that is not plain msgpack data (extensions, NaN, `__proto__` keys, over-deep nesting). */
  MESSAGE_MALFORMED: "MESSAGE_MALFORMED",
  /** A message type (or Colyseus message code) that this room has no handler for. */
  MESSAGE_UNKNOWN: "MESSAGE_UNKNOWN",
  /** The room failed while processing the message; it was dropped (reported on the server). */
  MESSAGE_FAILED: "MESSAGE_FAILED",
  /** The client's outgoing queue is full (it is not reading fast enough): the reload was refused; retry after `details.retry_after_ms`. */
  SEND_QUEUE_FULL: "SEND_QUEUE_FULL",
  /** A checksum for a frame the client already sent one for. */
  CHECKSUM_REPEATED: "CHECKSUM_REPEATED",
  /** A state dump the server did not ask for (wrong frame, not asked, or already complete). */
  DUMP_NOT_REQUESTED: "DUMP_NOT_REQUESTED",
  /** A state dump larger than the room's `maxDumpBytes`, or one that does not decode. */
  DUMP_INVALID: "DUMP_INVALID",
  /** A snapshot chunk the server did not ask for (wrong frame, not asked, or already complete). */
  SNAPSHOT_NOT_REQUESTED: "SNAPSHOT_NOT_REQUESTED",
  /** A snapshot that is too large, does not decode, or whose state does not hash to what every player agreed on (forged or wrong). */
  SNAPSHOT_INVALID: "SNAPSHOT_INVALID",
  /** A spectator sent something only a player may send (an action, a checksum, a dump, readiness). */
  SPECTATOR_CANNOT_PLAY: "SPECTATOR_CANNOT_PLAY",
} as const;

/** One of {@link LockstepErrorCode}'s values. */
export type LockstepErrorCode = (typeof LockstepErrorCode)[keyof typeof LockstepErrorCode];

/** WebSocket close codes used by lockstep rooms, next to Colyseus's own (4000–4010). */
export const LockstepCloseCode = {
  /**
   * The client kept sending refused messages (floods, oversized or malformed input) until its
   * strike budget ran out. The SDK does not reconnect on this code; the seat is released.
   */
  ABUSE: 4429,
  /** The match did not start within the room's `waitingTimeoutSeconds`: the room closed. Final. */
  WAITING_TIMEOUT: 4408,
} as const;

/** A player as the room announces it. `uid` comes from the server (auth or session), never from a message. */
export interface PlayerInfo {
  readonly uid: string;
  readonly slot: number;
  readonly name: string;
  /** From the verified token (`player`, `admin`); `player` in open rooms. */
  readonly role: string;
  readonly ready: boolean;
  readonly connected: boolean;
}

/** Payload of `room_leave`. */
export interface RoomLeaveMessage {
  readonly uid: string;
  readonly slot: number;
  /** `"left"` (consented or window expired), `"kicked"` (abuse close). */
  readonly reason: "left" | "kicked";
}

/** Payload of `room_prepare` from the server. */
export interface RoomPrepareMessage {
  readonly uid: string;
  readonly slot: number;
  readonly ready: boolean;
}

/** Where a match stands: `waiting` for players, `running`, or `ended`. */
export type MatchPhase = "waiting" | "running" | "ended";

/** Payload of `match_start`, also repeated in `room_info` once the match runs. */
export interface MatchStartMessage {
  /** The roster at start (uid ↔ slot). */
  readonly players: readonly PlayerInfo[];
  /** Unsigned 32-bit seed for the game's deterministic RNG. */
  readonly seed: number;
  /** Frames per second. */
  readonly frame_rate: number;
  /** Number of the first frame. */
  readonly start_frame: number;
  /**
   * Every how many frames clients send the hash of their state (frames whose number is a
   * multiple of it); 0: checksums are off. Always sent; absent only from matches stored by a
   * release without checksums (read it as 0).
   */
  readonly checksum_interval?: number;
}

/** Payload of `snapshot_request`. */
export interface SnapshotRequest {
  readonly frame: number;
  readonly max_bytes: number;
}

/** Payload of `snapshot`: the state after `frame`, verified against every player's agreed hash, as JSON text. */
export interface SnapshotMessage {
  readonly frame: number;
  readonly state: string;
}

/** Payload of `room_spectators`. */
export interface RoomSpectatorsMessage {
  readonly count: number;
}

/** Payload of `room_info`, sent to one client on join and on reconnection. */
export interface RoomInfoMessage {
  /** The receiving client's own seat (`slot` -1 for a spectator). */
  readonly you: { readonly uid: string; readonly slot: number };
  /** Present (true) when the receiving client is a spectator: it gets frames `spectator_delay_frames` late and may not play. */
  readonly spectator?: boolean;
  /** How many frames behind the newest closed one a spectator's frames are (spectators only). */
  readonly spectator_delay_frames?: number;
  /** How many spectators watch (rooms that accept spectators). */
  readonly spectators?: number;
  /** A `snapshot` of this frame follows: a client that can load it starts from there instead of the match start. */
  readonly snapshot_frame?: number;
  readonly phase: MatchPhase;
  readonly players: readonly PlayerInfo[];
  readonly min_players: number;
  readonly max_players: number;
  /** Present once the match started. */
  readonly match?: MatchStartMessage;
  /** Last closed frame (`start_frame - 1` before the first one closes), for a spectator the last one it may see; absent before the start. */
  readonly last_frame?: number;
}

/** Payload of `match_end`. */
export interface MatchEndMessage {
  /**
   * `"ended"`: the room called `endMatch`; `"abandoned"`: every player left; `"log_full"`: the
   * frame log hit its bound under the `end-match` policy; `"desync"`: the players' states
   * diverged under `desyncPolicy: "end-match"` (the result holds the report id).
   */
  readonly reason: "ended" | "abandoned" | "log_full" | "desync";
  /** Whatever the room passed to `endMatch(result)`. */
  readonly result?: unknown;
  /** The last frame of the match. */
  readonly last_frame: number;
  /** The id of the match's replay (`GET /replays/:id`), when the server keeps replays; written shortly after this message. */
  readonly replay_id?: string;
}

/** Payload of `sync_request_reload_frames`. */
export interface ReloadRequest {
  /** First frame wanted (inclusive). */
  readonly start_frame: number;
  /** Last frame wanted (inclusive); defaults to the last closed frame. */
  readonly end_frame?: number;
  /** Echoed in every chunk of the answer (unsigned 32-bit, default 0). */
  readonly request_id?: number;
}

/** The answer to a reload sent with Colyseus `room.request`, after the last chunk. */
export interface ReloadResponse {
  readonly request_id: number;
  readonly start_frame: number;
  readonly end_frame: number;
  readonly frames: number;
  readonly chunks: number;
}

/** Payload of `lockstep_error` (and the rejection reason of a reload request). */
export interface LockstepErrorMessage {
  readonly code: LockstepErrorCode;
  readonly message: string;
  /** The message type that was refused. */
  readonly type?: string;
  /** Extra facts, e.g. `first_frame` for `FRAME_EVICTED`, `retry_after_ms` for `RATE_LIMITED`. */
  readonly details?: Readonly<Record<string, number | string>>;
}
