import type { Room } from "@colyseus/sdk";
import { decodeAction, encodeAction } from "../protocol/action-codec.ts";
import { decodeFrame } from "../protocol/frame-codec.ts";
import {
  BinaryMessage,
  ControlMessage,
  LockstepErrorCode,
  type LockstepErrorMessage,
  type MatchEndMessage,
  type MatchStartMessage,
  type PlayerInfo,
  type RoomInfoMessage,
  type RoomSpectatorsMessage,
  type SnapshotMessage,
  type SnapshotRequest,
} from "../protocol/messages.ts";
import type { FrameEventKind } from "../protocol/frame-codec.ts";
import { StateDumpFormat, encodeChecksum, stateDumpMessages, type StateHash } from "../protocol/checksum-codec.ts";
import type { DesyncNotice, StateDumpRequest } from "../protocol/desync-messages.ts";
import { EventLog } from "./event-log.ts";

/** A frame as a test player received it: actions decoded and stamped with their sender's uid. */
export interface ReceivedFrame<TAction = unknown> {
  readonly frame: number;
  readonly actions: readonly { readonly slot: number; readonly uid: string; readonly action: TAction }[];
  readonly events: readonly { readonly slot: number; readonly uid: string; readonly kind: FrameEventKind }[];
  /** The frame's bytes, exactly as received. */
  readonly bytes: Uint8Array;
}

/**
 * One player of a test, on a real `@colyseus/sdk` connection: sends actions, and records
 * everything the room sends it (frames, refusals, the match's start and end, its close).
 */
export class TestClient<TAction = unknown> {
  /** The SDK room (for anything the kit does not cover). */
  readonly room: Room;
  readonly frames = new EventLog<ReceivedFrame<TAction>>("a frame");
  readonly errors = new EventLog<LockstepErrorMessage>("a lockstep_error");
  readonly starts = new EventLog<MatchStartMessage>("match_start");
  readonly ends = new EventLog<MatchEndMessage>("match_end");
  readonly closes = new EventLog<number>("the connection to close");
  /** `room_info` messages: the first arrives right after joining. */
  readonly infos = new EventLog<RoomInfoMessage>("room_info");
  /** `desync` notices: the server found the players' state hashes disagreeing. */
  readonly desyncs = new EventLog<DesyncNotice>("a desync notice");
  /** `state_dump_request`s: the server asks this player for its state after a desync. */
  readonly dumpRequests = new EventLog<StateDumpRequest>("a state_dump_request");
  /** `snapshot_request`s: the server asks this player for a snapshot of its state. */
  readonly snapshotRequests = new EventLog<SnapshotRequest>("a snapshot_request");
  /** `snapshot`s the server sent this client (after `room_info`). */
  readonly snapshots = new EventLog<SnapshotMessage>("a snapshot");
  /** Spectator counts the room announced (`room_spectators`). */
  readonly spectators = new EventLog<number>("a spectator count");
  readonly #uids = new Map<number, string>();
  #you: { uid: string; slot: number } | undefined;

  constructor(room: Room) {
    this.room = room;
    const learn = (players: readonly PlayerInfo[]): void => {
      for (const player of players) this.#uids.set(player.slot, player.uid);
    };
    room.onMessage(ControlMessage.ROOM_INFO, (info: RoomInfoMessage) => {
      this.#you = info.you;
      learn(info.players);
      this.infos.push(info);
    });
    room.onMessage(ControlMessage.ROOM_ENTER, (player: PlayerInfo) => learn([player]));
    room.onMessage(ControlMessage.MATCH_START, (start: MatchStartMessage) => {
      learn(start.players);
      this.starts.push(start);
    });
    room.onMessage(ControlMessage.MATCH_END, (end: MatchEndMessage) => this.ends.push(end));
    room.onMessage(ControlMessage.LOCKSTEP_ERROR, (error: LockstepErrorMessage) => this.errors.push(error));
    room.onMessage(ControlMessage.DESYNC, (notice: DesyncNotice) => this.desyncs.push(notice));
    room.onMessage(ControlMessage.STATE_DUMP_REQUEST, (request: StateDumpRequest) => this.dumpRequests.push(request));
    room.onMessage(ControlMessage.SNAPSHOT_REQUEST, (request: SnapshotRequest) => this.snapshotRequests.push(request));
    room.onMessage(ControlMessage.SNAPSHOT, (snapshot: SnapshotMessage) => this.snapshots.push(snapshot));
    room.onMessage(ControlMessage.ROOM_SPECTATORS, (message: RoomSpectatorsMessage) => this.spectators.push(message.count));
    room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => this.frames.push(this.#decode(bytes.slice())));
    room.onMessage("*", () => undefined);
    room.onLeave((code: number) => this.closes.push(code));
  }

  /** This player's uid and seat (known once the room said so, right after joining). */
  get uid(): string {
    if (this.#you === undefined) throw new Error("the room has not told this player its seat yet");
    return this.#you.uid;
  }

  get slot(): number {
    if (this.#you === undefined) throw new Error("the room has not told this player its seat yet");
    return this.#you.slot;
  }

  /** The newest frame received, or -1. */
  get lastFrame(): number {
    return this.frames.items.at(-1)?.frame ?? -1;
  }

  /** Says "ready" (`room_prepare`). */
  ready(ready = true): void {
    this.room.send(ControlMessage.ROOM_PREPARE, { ready });
  }

  /** Sends one action, as the client SDK does (binary `sync_action`). */
  act(action: TAction): void {
    this.room.sendBytes(BinaryMessage.SYNC_ACTION, encodeAction(action));
  }

  /** Sends the hash of this player's state after `frame` (binary `sync_checksum`, as the client SDK does). */
  checksum(frame: number, hash: StateHash): void {
    this.room.sendBytes(BinaryMessage.SYNC_CHECKSUM, encodeChecksum(frame, hash));
  }

  /** Uploads `state` (plain data, as JSON) as this player's snapshot of `frame` (binary `snapshot_upload`, as the client SDK does). */
  uploadSnapshot(frame: number, state: unknown): void {
    for (const chunk of stateDumpMessages(frame, StateDumpFormat.JSON, new TextEncoder().encode(JSON.stringify(state)))) {
      this.room.sendBytes(BinaryMessage.SNAPSHOT_UPLOAD, chunk);
    }
  }

  /** The next refusal this player gets (after this call). */
  nextError(): Promise<LockstepErrorMessage> {
    return this.errors.next();
  }

  /** Resolves once frame `frame` has arrived. */
  waitForFrame(frame: number): Promise<ReceivedFrame<TAction>> {
    return this.frames.wait((received) => received.frame >= frame);
  }

  /**
   * Resolves once the server has processed every message this player sent so far: a Colyseus
   * ping goes after them on the same connection, and the server answers it in order.
   */
  flush(): Promise<void> {
    if (this.closes.items.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      let stopRefusals: (() => void) | undefined;
      let stopCloses: (() => void) | undefined;
      const done = (): void => {
        stopRefusals?.();
        stopCloses?.();
        resolve();
      };
      this.room.ping(done);
      // A ping over the player's message rate is refused instead of answered: the refusal comes
      // after every earlier message was processed just the same (a flooding test player).
      stopRefusals = this.room.onMessage(ControlMessage.LOCKSTEP_ERROR, (error: LockstepErrorMessage) => {
        if (error.code === LockstepErrorCode.RATE_LIMITED && error.type === "message") done();
      });
      // A connection closing meanwhile never answers: stop waiting.
      stopCloses = this.closes.once(done);
    });
  }

  /** Leaves the room (consented). */
  async leave(): Promise<void> {
    if (this.closes.items.length === 0) await this.room.leave(true);
  }

  #decode(bytes: Uint8Array): ReceivedFrame<TAction> {
    const decoded = decodeFrame(bytes);
    const uidOf = (slot: number): string => this.#uids.get(slot) ?? `slot-${slot}`;
    const actions: { slot: number; uid: string; action: TAction }[] = [];
    const events: { slot: number; uid: string; kind: FrameEventKind }[] = [];
    for (const entry of decoded.entries) {
      if (entry.type === "action") actions.push({ slot: entry.slot, uid: uidOf(entry.slot), action: decodeAction<TAction>(entry.payload) });
      else events.push({ slot: entry.slot, uid: uidOf(entry.slot), kind: entry.kind });
    }
    return { frame: decoded.frame, actions, events, bytes };
  }
}
