import type { Room } from "@colyseus/sdk";
import {
  BinaryMessage,
  ControlMessage,
  LockstepErrorCode,
  decodeReloadChunk,
  encodeAction,
  frameNumberOf,
  type LockstepErrorMessage,
  type MatchEndMessage,
  type MatchStartMessage,
  type PlayerInfo,
  type ReloadResponse,
  type RoomInfoMessage,
  type RoomLeaveMessage,
  type RoomPrepareMessage,
} from "../../src/protocol/index.ts";
import { FixedStepRunner, startTicking, type GameLoop, type RunHandle, type RunOptions } from "./fixed-step-runner.ts";
import { FrameSequencer } from "./frame-sequencer.ts";
import { toLockstepFrame } from "./frame-view.ts";
import { Signal } from "./signal.ts";
import { LockstepClientError, type LockstepFrame, type MatchEnd, type MatchInfo, type MatchPhase, type PlayerLeft } from "./types.ts";

/** Retry delay for a catch-up request that failed without saying when to retry. */
const DEFAULT_RETRY_MS = 500;

/**
 * Close codes after which the seat is still held: network loss (1001, 1005, 1006) and a
 * process handing its matches over (4010). Others (4000 left or match over, 4429 abuse) are final.
 */
const RECOVERABLE_CLOSE_CODES = new Set([1001, 1005, 1006, 4010]);
/** Reconnection retries start fast and back off to 2 s... */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;
/** ...for as long as a server holds a dropped seat by default (20 s), plus the time a match takes to move. */
const RECONNECT_GIVE_UP_MS = 30_000;

/** Takes a seat back with a reconnection token, through whichever server answers. */
export type Reconnector = (reconnectionToken: string) => Promise<Room>;

function toMatchInfo(start: MatchStartMessage): MatchInfo {
  return { players: start.players, seed: start.seed, frameRate: start.frame_rate, startFrame: start.start_frame };
}

function asClientError(error: unknown): LockstepClientError {
  const reason = (error as { reason?: LockstepErrorMessage }).reason;
  if (reason !== undefined && typeof reason.code === "string") {
    return new LockstepClientError(reason.code, reason.message, reason.type, reason.details);
  }
  return new LockstepClientError("REQUEST_FAILED", (error as Error).message ?? String(error));
}

/**
 * A joined lockstep room, from the player's side. Frames reach `onFrame` exactly once per
 * frame number, in increasing order, with no gaps, however they arrive: missing frames are
 * fetched from the server's log, and after a reconnection the match catches up from the last
 * delivered frame.
 *
 * @typeParam TAction - the game's action type (see `ActionOf` to take it from the server room).
 */
export class LockstepMatch<TAction = unknown> {
  #room: Room;
  readonly #reconnector: Reconnector | undefined;
  #leaving = false;

  readonly #sequencer: FrameSequencer;
  readonly #players = new Map<number, PlayerInfo>();
  readonly #uidBySlot = new Map<number, string>();
  readonly #gapRequests = new Set<number>();
  readonly #explicitRequests = new Map<number, Uint8Array[]>();
  #nextRequestId = 1;
  #you: { uid: string; slot: number } | undefined;
  #phase: MatchPhase = "waiting";
  #info: MatchInfo | undefined;
  #end: MatchEnd | undefined;
  #connected = true;
  #lastFrameData: LockstepFrame<TAction> | undefined;

  readonly #enter = new Signal<PlayerInfo>();
  readonly #leave = new Signal<PlayerLeft>();
  readonly #prepare = new Signal<PlayerInfo>();
  readonly #playerDrop = new Signal<PlayerInfo>();
  readonly #playerReconnect = new Signal<PlayerInfo>();
  readonly #start = new Signal<MatchInfo>();
  readonly #frame = new Signal<LockstepFrame<TAction>>();
  readonly #endSignal = new Signal<MatchEnd>();
  readonly #error = new Signal<LockstepClientError>();
  readonly #drop = new Signal<void>();
  readonly #reconnect = new Signal<void>();
  readonly #close = new Signal<number>();

  constructor(room: Room, reconnect?: Reconnector) {
    this.#room = room;
    this.#reconnector = reconnect;
    this.#sequencer = new FrameSequencer({
      deliver: (frame, bytes) => this.#deliver(frame, bytes),
      requestGap: (from, to) => this.#requestGap(from, to),
    });
    this.#attach(room);
  }

  /** The underlying `@colyseus/sdk` room, for anything this class does not cover (replaced on reconnection). */
  get room(): Room {
    return this.#room;
  }

  #attach(room: Room): void {
    this.#room = room;
    // This class reconnects itself (through any of the client's endpoints), so a match that
    // moved to another process is found; the SDK's own retry would dial the old address.
    room.reconnection.enabled = false;
    room.onMessage(ControlMessage.ROOM_INFO, (info: RoomInfoMessage) => this.#onRoomInfo(info));
    room.onMessage(ControlMessage.ROOM_ENTER, (player: PlayerInfo) => {
      this.#upsert(player);
      this.#enter.emit(player);
    });
    room.onMessage(ControlMessage.ROOM_LEAVE, (left: RoomLeaveMessage) => {
      this.#players.delete(left.slot);
      this.#leave.emit({ uid: left.uid, slot: left.slot, reason: left.reason });
    });
    room.onMessage(ControlMessage.ROOM_PREPARE, (prepared: RoomPrepareMessage) => {
      const player = this.#players.get(prepared.slot);
      if (player === undefined) return;
      const updated = { ...player, ready: prepared.ready };
      this.#players.set(prepared.slot, updated);
      this.#prepare.emit(updated);
    });
    room.onMessage(ControlMessage.ROOM_DROP, (player: PlayerInfo) => {
      this.#upsert(player);
      this.#playerDrop.emit(player);
    });
    room.onMessage(ControlMessage.ROOM_RECONNECT, (player: PlayerInfo) => {
      this.#upsert(player);
      this.#playerReconnect.emit(player);
    });
    room.onMessage(ControlMessage.ROOM_HANDOVER, () => {
      // The close (4010) follows; reconnection starts then.
    });
    room.onMessage(ControlMessage.MATCH_START, (start: MatchStartMessage) => this.#onStart(start));
    room.onMessage(ControlMessage.MATCH_END, (end: MatchEndMessage) => {
      this.#phase = "ended";
      this.#end = { reason: end.reason, result: end.result, lastFrame: end.last_frame };
      this.#endSignal.emit(this.#end);
    });
    room.onMessage(ControlMessage.LOCKSTEP_ERROR, (error: LockstepErrorMessage) => {
      this.#error.emit(new LockstepClientError(error.code, error.message, error.type, error.details));
    });
    room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => this.#receive(bytes));
    room.onMessage(BinaryMessage.RELOAD_FRAMES, (bytes: Uint8Array) => this.#onReloadChunk(bytes));
    room.onLeave((code: number) => {
      if (room !== this.#room) return;
      this.#connected = false;
      if (this.#reconnector !== undefined && !this.#leaving && this.#phase !== "ended" && RECOVERABLE_CLOSE_CODES.has(code)) {
        this.#drop.emit();
        void this.#reconnectLoop(code);
      } else {
        this.#close.emit(code);
      }
    });
  }

  async #reconnectLoop(code: number): Promise<void> {
    const reconnect = this.#reconnector!;
    const token = this.#room.reconnectionToken;
    const deadline = Date.now() + RECONNECT_GIVE_UP_MS;
    let delay = FIRST_RETRY_MS;
    for (;;) {
      try {
        const room = await reconnect(token);
        if (this.#leaving) {
          await room.leave(true);
          return;
        }
        this.#attach(room);
        this.#connected = true;
        // Answers to requests made before the drop are lost: ask again once room_info says how far to go.
        this.#sequencer.resetRequests();
        this.#reconnect.emit();
        return;
      } catch {
        if (this.#leaving || Date.now() + delay > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(MAX_RETRY_MS, delay * 2);
      }
    }
    if (!this.#leaving) this.#close.emit(code);
  }

  /** A player took a seat (also fired for this client). */
  onEnter(listener: (player: PlayerInfo) => void): () => void { return this.#enter.add(listener); }
  /** A player left for good. */
  onLeave(listener: (player: PlayerLeft) => void): () => void { return this.#leave.add(listener); }
  /** A player's readiness changed. */
  onPrepare(listener: (player: PlayerInfo) => void): () => void { return this.#prepare.add(listener); }
  /** Another player's connection dropped (the seat is held). */
  onPlayerDrop(listener: (player: PlayerInfo) => void): () => void { return this.#playerDrop.add(listener); }
  /** A dropped player is back. */
  onPlayerReconnect(listener: (player: PlayerInfo) => void): () => void { return this.#playerReconnect.add(listener); }
  /** The match started (fired once; also on joining or reconnecting to a running match). */
  onStart(listener: (info: MatchInfo) => void): () => void { return this.#start.add(listener); }
  /** The next frame, exactly once per frame number, in order. */
  onFrame(listener: (frame: LockstepFrame<TAction>) => void): () => void { return this.#frame.add(listener); }
  /** The match ended; the server closes the room right after. */
  onEnd(listener: (end: MatchEnd) => void): () => void { return this.#endSignal.add(listener); }
  /** A message was refused, a catch-up failed, or server data could not be decoded. */
  onError(listener: (error: LockstepClientError) => void): () => void { return this.#error.add(listener); }
  /** This client's connection dropped; the SDK is reconnecting. */
  onDrop(listener: () => void): () => void { return this.#drop.add(listener); }
  /** This client's connection is back; missed frames are being fetched. */
  onReconnect(listener: () => void): () => void { return this.#reconnect.add(listener); }
  /** The room connection closed for good, with its close code (4000: left or match over; 4429: closed as abusive). */
  onClose(listener: (code: number) => void): () => void { return this.#close.add(listener); }

  /** The last frame delivered to `onFrame`, or undefined. */
  get lastFrame(): number | undefined { return this.#sequencer.lastDelivered; }
  /** The last frame delivered, decoded. */
  get lastFrameData(): LockstepFrame<TAction> | undefined { return this.#lastFrameData; }
  /** Seated players, in slot order. */
  get players(): PlayerInfo[] { return [...this.#players.values()].sort((a, b) => a.slot - b.slot); }
  /** This client's uid and slot (known once `room_info` arrived, right after joining). */
  get you(): { uid: string; slot: number } | undefined { return this.#you; }
  /** The match seed, once started. */
  get seed(): number | undefined { return this.#info?.seed; }
  /** The match as announced at start. */
  get info(): MatchInfo | undefined { return this.#info; }
  /** How it ended, once ended. */
  get end(): MatchEnd | undefined { return this.#end; }
  get phase(): MatchPhase { return this.#phase; }
  /** False while this client's connection is dropped. */
  get connected(): boolean { return this.#connected; }
  get roomId(): string { return this.room.roomId; }
  get sessionId(): string { return this.room.sessionId; }
  /** Pass to `LockstepClient.reconnect` to come back after a page reload. */
  get reconnectionToken(): string { return this.room.reconnectionToken; }

  /** Tells the room this player is ready (or, with `false`, not ready any more). */
  ready(ready = true): void {
    this.room.send(ControlMessage.ROOM_PREPARE, { ready });
  }

  /**
   * Sends one input. Returns false, sending nothing, while the match is not running or the
   * connection is dropped: a stale input replayed after a reconnection would land in the wrong frame.
   */
  sendAction(action: TAction): boolean {
    if (this.#phase !== "running" || !this.#connected) return false;
    this.room.sendBytes(BinaryMessage.SYNC_ACTION, encodeAction(action));
    return true;
  }

  /**
   * Fetches frames `from..to` (inclusive; `to` defaults to the last closed frame) from the
   * server's log, for replays or inspection. They are returned here only, never to `onFrame`.
   */
  async requestFrames(from: number, to?: number): Promise<LockstepFrame<TAction>[]> {
    const requestId = this.#mintRequestId();
    this.#explicitRequests.set(requestId, []);
    try {
      await this.room.request(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, {
        start_frame: from,
        ...(to !== undefined ? { end_frame: to } : {}),
        request_id: requestId,
      });
      return this.#explicitRequests.get(requestId)!.map((bytes) => toLockstepFrame<TAction>(bytes, this.#uidOf));
    } catch (error) {
      throw asClientError(error);
    } finally {
      this.#explicitRequests.delete(requestId);
    }
  }

  /** Leaves the room (consented: the seat is released at once). Resolves with the close code. */
  leave(): Promise<number> {
    this.#leaving = true;
    return this.room.leave(true);
  }

  /**
   * Drives a deterministic game loop: `step` once per frame, in order, at the match's frame
   * rate (faster when behind), `render` on every animation frame (browser) or timer tick (Node).
   */
  run(loop: GameLoop<TAction>, options: RunOptions = {}): RunHandle {
    const frameRate = this.#info?.frameRate;
    if (frameRate === undefined) throw new Error("run() needs the match to have started: call it from onStart");
    const runner = new FixedStepRunner(loop, frameRate, options);
    const unsubscribe = this.#frame.add((frame) => runner.push(frame));
    const stopTicking = startTicking((now) => runner.tick(now), options.clock, 1000 / frameRate);
    return {
      stop: () => {
        unsubscribe();
        stopTicking();
      },
      get queued() { return runner.queued; },
      get lastStepped() { return runner.lastStepped; },
    };
  }

  #uidOf = (slot: number): string => this.#uidBySlot.get(slot) ?? `slot-${slot}`;

  #upsert(player: PlayerInfo): void {
    this.#players.set(player.slot, player);
    this.#uidBySlot.set(player.slot, player.uid);
  }

  #onRoomInfo(info: RoomInfoMessage): void {
    this.#you = info.you;
    this.#phase = info.phase;
    for (const player of info.players) this.#upsert(player);
    if (info.match !== undefined) {
      this.#onStart(info.match);
      if (info.last_frame !== undefined) this.#sequencer.catchUpTo(info.last_frame);
    }
  }

  #onStart(start: MatchStartMessage): void {
    if (this.#info !== undefined) return;
    if (this.#phase === "waiting") this.#phase = "running";
    for (const player of start.players) this.#upsert(player);
    this.#info = toMatchInfo(start);
    this.#sequencer.start(start.start_frame);
    this.#start.emit(this.#info);
  }

  #receive(bytes: Uint8Array): void {
    let frame: number;
    try {
      frame = frameNumberOf(bytes);
    } catch (error) {
      this.#error.emit(new LockstepClientError((error as { code?: string }).code ?? "PROTOCOL_ERROR", (error as Error).message));
      return;
    }
    // The SDK reuses nothing, but copying keeps buffered frames independent of the socket's buffers.
    this.#sequencer.receive(frame, bytes.slice());
  }

  #onReloadChunk(bytes: Uint8Array): void {
    let chunk;
    try {
      chunk = decodeReloadChunk(bytes.slice());
    } catch (error) {
      this.#error.emit(new LockstepClientError((error as { code?: string }).code ?? "PROTOCOL_ERROR", (error as Error).message));
      return;
    }
    const explicit = this.#explicitRequests.get(chunk.requestId);
    if (explicit !== undefined) {
      explicit.push(...chunk.frameBytes);
      return;
    }
    for (let i = 0; i < chunk.frames.length; i++) this.#sequencer.receive(chunk.frames[i]!.frame, chunk.frameBytes[i]!);
  }

  #deliver(_frame: number, bytes: Uint8Array): void {
    let frame: LockstepFrame<TAction>;
    try {
      frame = toLockstepFrame<TAction>(bytes, this.#uidOf);
    } catch (error) {
      this.#error.emit(new LockstepClientError((error as { code?: string }).code ?? "PROTOCOL_ERROR", (error as Error).message));
      return;
    }
    this.#lastFrameData = frame;
    this.#frame.emit(frame);
  }

  #requestGap(from: number, to: number): void {
    // While offline the request would be lost; the reconnection path asks again.
    if (!this.#connected) return;
    const requestId = this.#mintRequestId();
    this.#gapRequests.add(requestId);
    this.room
      .request(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, { start_frame: from, end_frame: to, request_id: requestId })
      .then((response: ReloadResponse) => {
        this.#gapRequests.delete(requestId);
        return response;
      })
      .catch((failure: unknown) => {
        this.#gapRequests.delete(requestId);
        const error = asClientError(failure);
        if (!this.#connected || this.#phase === "ended") return;
        if (error.code === LockstepErrorCode.FRAME_EVICTED) {
          this.#error.emit(error);
          return;
        }
        const retryAfter = Number(error.details?.["retry_after_ms"] ?? DEFAULT_RETRY_MS);
        setTimeout(() => {
          this.#sequencer.resetRequests();
          this.#sequencer.catchUpTo(to);
        }, retryAfter);
      });
  }

  #mintRequestId(): number {
    const id = this.#nextRequestId;
    this.#nextRequestId = this.#nextRequestId >= 0xffffffff ? 1 : this.#nextRequestId + 1;
    return id;
  }
}
