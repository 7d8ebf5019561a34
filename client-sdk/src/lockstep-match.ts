import { CloseCode, type Room } from "@colyseus/sdk";
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
  type ReloadChunk,
  type ReloadResponse,
  type RoomInfoMessage,
  type RoomLeaveMessage,
  type RoomPrepareMessage,
  type RoomSpectatorsMessage,
  type SnapshotMessage,
  type SnapshotRequest,
  type DesyncNotice,
  type StateDumpRequest,
  type StateHash,
} from "../../src/protocol/index.ts";
import { ChecksumReporter } from "./checksum-reporter.ts";
import { RECOVERABLE_CLOSE_CODES, describeClose } from "./close-codes.ts";
import { FrameRequests } from "./frame-requests.ts";
import { FixedStepRunner, startTicking, type GameLoop, type RunHandle, type RunOptions } from "./fixed-step-runner.ts";
import { FrameSequencer } from "./frame-sequencer.ts";
import type { MatchFeed } from "./match-feed.ts";
import { toLockstepFrame } from "./frame-view.ts";
import { DEFAULT_RECONNECT_TIMEOUT_MS, ReconnectLoop, type Reconnector } from "./reconnect-loop.ts";
import { Signal } from "./signal.ts";
import { ClientErrorCode, LockstepClientError, type LockstepFrame, type MatchEnd, type MatchInfo, type MatchPhase, type PlayerLeft } from "./types.ts";

export type { Reconnector };

/** Retry delay for a catch-up request that failed without saying when to retry. */
const DEFAULT_RETRY_MS = 500;

/**
 * How long `leave()` waits for the server to close the connection. A server that is reachable
 * at all answers within a round trip; past this, the match is closed here (the leave message is
 * already on its way, so a server that reads it late still releases the seat).
 */
const LEAVE_CONFIRM_TIMEOUT_MS = 2000;

/** How the match closed. */
interface MatchClose {
  readonly code: number;
  readonly reason: string;
}

function toMatchInfo(start: MatchStartMessage): MatchInfo {
  return {
    players: start.players,
    seed: start.seed,
    frameRate: start.frame_rate,
    startFrame: start.start_frame,
    checksumInterval: start.checksum_interval ?? 0,
  };
}

function asClientError(error: unknown): LockstepClientError {
  if (error instanceof LockstepClientError) return error;
  const reason = (error as { reason?: LockstepErrorMessage }).reason;
  if (reason !== undefined && typeof reason.code === "string") {
    return new LockstepClientError(reason.code, reason.message, reason.type, reason.details);
  }
  return new LockstepClientError(ClientErrorCode.REQUEST_FAILED, (error as Error).message ?? String(error));
}

function protocolError(error: unknown): LockstepClientError {
  return new LockstepClientError((error as { code?: string }).code ?? ClientErrorCode.PROTOCOL_ERROR, (error as Error).message);
}

/**
 * A joined lockstep room, from the player's side. Frames reach `onFrame` exactly once per
 * frame number, in increasing order, with no gaps, however they arrive: missing frames are
 * fetched from the server's log, and after a reconnection the match catches up from the last
 * delivered frame.
 *
 * @typeParam TAction - the game's action type (see `ActionOf` to take it from the server room).
 */
export class LockstepMatch<TAction = unknown> implements MatchFeed<TAction> {
  #room: Room;
  readonly #reconnector: Reconnector | undefined;
  readonly #reconnectTimeoutMs: number;
  /** The reconnection under way, while the connection is dropped. */
  #reconnecting: ReconnectLoop | undefined;
  /** Why the connection dropped, while reconnecting. */
  #drop: MatchClose | undefined;
  #leaving = false;
  #leaveTimer: ReturnType<typeof setTimeout> | undefined;
  #closeInfo: MatchClose | undefined;
  /** Resolves with the close code once the match is closed (what `leave()` returns). */
  readonly #closed: Promise<number>;
  #resolveClosed!: (code: number) => void;

  readonly #sequencer: FrameSequencer;
  readonly #players = new Map<number, PlayerInfo>();
  readonly #uidBySlot = new Map<number, string>();
  readonly #gapRequests = new Set<number>();
  readonly #explicitRequests = new FrameRequests();
  #nextRequestId = 1;
  #you: { uid: string; slot: number } | undefined;
  #phase: MatchPhase = "waiting";
  #info: MatchInfo | undefined;
  #end: MatchEnd | undefined;
  #connected = true;
  #lastFrameData: LockstepFrame<TAction> | undefined;
  /** The newest frame number the server is known to have closed (live frames and `room_info`). */
  #newestFrame: number | undefined;
  #checksums: ChecksumReporter | undefined;
  #lastDesync: DesyncNotice | undefined;
  #spectator = false;
  /** Start from the server's snapshot when one comes with `room_info` (the client's `snapshots` option). */
  readonly #useSnapshots: boolean;
  /** `room_info` of a running match, held until the snapshot it announced arrives. */
  #awaitingSnapshot: RoomInfoMessage | undefined;
  /** The snapshot this match started from, until `run` loaded it. */
  #snapshotToLoad: MatchInfo["snapshot"];
  #spectatorDelay = 0;
  #spectatorCount = 0;

  readonly #enter = new Signal<PlayerInfo>();
  readonly #leave = new Signal<PlayerLeft>();
  readonly #prepare = new Signal<PlayerInfo>();
  readonly #playerDrop = new Signal<PlayerInfo>();
  readonly #playerReconnect = new Signal<PlayerInfo>();
  readonly #start = new Signal<MatchInfo>();
  readonly #frame = new Signal<LockstepFrame<TAction>>();
  readonly #endSignal = new Signal<MatchEnd>();
  readonly #error = new Signal<LockstepClientError>();
  readonly #dropSignal = new Signal<void>();
  readonly #reconnect = new Signal<void>();
  readonly #close = new Signal<MatchClose>();
  readonly #desync = new Signal<DesyncNotice>();
  readonly #spectatorsSignal = new Signal<number>();

  /**
   * @param room - a joined `@colyseus/sdk` room of a lockstep server.
   * @param reconnect - how to take the seat back after a drop; without it, every close is final.
   * @param reconnectTimeoutMs - how long to keep trying before the match is closed (default 30 s).
   * @param useSnapshots - start a running match from the server's verified snapshot (see `LockstepClientOptions.snapshots`).
   */
  constructor(room: Room, reconnect?: Reconnector, reconnectTimeoutMs = DEFAULT_RECONNECT_TIMEOUT_MS, useSnapshots = false) {
    this.#useSnapshots = useSnapshots;
    this.#room = room;
    this.#reconnector = reconnect;
    this.#reconnectTimeoutMs = reconnectTimeoutMs;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
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
      if (this.#phase === "closed") return;
      this.#phase = "ended";
      this.#end = { reason: end.reason, result: end.result, lastFrame: end.last_frame, ...(end.replay_id !== undefined ? { replayId: end.replay_id } : {}) };
      this.#endSignal.emit(this.#end);
    });
    room.onMessage(ControlMessage.LOCKSTEP_ERROR, (error: LockstepErrorMessage) => {
      this.#error.emit(new LockstepClientError(error.code, error.message, error.type, error.details));
    });
    room.onMessage(ControlMessage.DESYNC, (notice: DesyncNotice) => {
      this.#lastDesync = notice;
      this.#desync.emit(notice);
    });
    room.onMessage(ControlMessage.ROOM_SPECTATORS, (message: RoomSpectatorsMessage) => {
      this.#spectatorCount = message.count;
      this.#spectatorsSignal.emit(message.count);
    });
    room.onMessage(ControlMessage.SNAPSHOT, (snapshot: SnapshotMessage) => this.#onSnapshot(snapshot));
    room.onMessage(ControlMessage.SNAPSHOT_REQUEST, (request: SnapshotRequest) => this.#checksums?.onSnapshotRequest(request));
    room.onMessage(ControlMessage.STATE_DUMP_REQUEST, (request: StateDumpRequest) => this.#checksums?.onDumpRequest(request));
    room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => this.#receive(bytes));
    room.onMessage(BinaryMessage.RELOAD_FRAMES, (bytes: Uint8Array) => this.#onReloadChunk(bytes));
    room.onLeave((code: number, reason?: string) => this.#onConnectionClosed(room, code, reason));
  }

  #onConnectionClosed(room: Room, code: number, reason: string | undefined): void {
    if (room !== this.#room || this.#phase === "closed") return;
    this.#connected = false;
    const description = describeClose(code, reason);
    const recoverable = this.#reconnector !== undefined && !this.#leaving && this.#phase !== "ended" && RECOVERABLE_CLOSE_CODES.has(code);
    if (!recoverable) {
      this.#finish(code, description);
      return;
    }
    this.#drop = { code, reason: description };
    this.#explicitRequests.failAll(
      new LockstepClientError(ClientErrorCode.CONNECTION_LOST, `the connection dropped (${code}: ${description}); ask again after onReconnect`, undefined, {
        close_code: code,
      }),
    );
    // Under way before onDrop listeners run, so one of them may call leave().
    this.#recover(this.#reconnector!);
    this.#dropSignal.emit();
  }

  #recover(reconnect: Reconnector): void {
    const loop = new ReconnectLoop(reconnect, this.#reconnectTimeoutMs);
    this.#reconnecting = loop;
    void loop.run(this.#room.reconnectionToken).then((room) => {
      if (this.#reconnecting !== loop) return; // left or closed meanwhile (the loop was cancelled)
      this.#reconnecting = undefined;
      if (room === undefined) {
        this.#finish(CloseCode.FAILED_TO_RECONNECT, `gave up reconnecting after ${this.#reconnectTimeoutMs} ms (${this.#drop!.reason})`);
        return;
      }
      this.#drop = undefined;
      this.#attach(room);
      this.#connected = true;
      // Answers to requests made before the drop are lost: ask again once room_info says how far to go.
      this.#sequencer.resetRequests();
      this.#reconnect.emit();
    });
  }

  /** The match is over for this client: final phase, pending calls rejected, `leave()` settled, `onClose` once. */
  #finish(code: number, reason: string): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#connected = false;
    this.#closeInfo = { code, reason };
    this.#reconnecting?.cancel();
    this.#reconnecting = undefined;
    this.#checksums?.stop();
    clearTimeout(this.#leaveTimer);
    this.#explicitRequests.failAll(this.#closedError());
    this.#resolveClosed(code);
    this.#close.emit(this.#closeInfo);
  }

  #closedError(): LockstepClientError {
    const { code, reason } = this.#closeInfo!;
    return new LockstepClientError(ClientErrorCode.MATCH_CLOSED, `the match is closed (${code}: ${reason})`, undefined, { close_code: code });
  }

  /** A player took a seat (also fired for this client). */
  onEnter(listener: (player: PlayerInfo) => void): () => void {
    return this.#enter.add(listener);
  }
  /** A player left for good. */
  onLeave(listener: (player: PlayerLeft) => void): () => void {
    return this.#leave.add(listener);
  }
  /** A player's readiness changed. */
  onPrepare(listener: (player: PlayerInfo) => void): () => void {
    return this.#prepare.add(listener);
  }
  /** Another player's connection dropped (the seat is held). */
  onPlayerDrop(listener: (player: PlayerInfo) => void): () => void {
    return this.#playerDrop.add(listener);
  }
  /** A dropped player is back. */
  onPlayerReconnect(listener: (player: PlayerInfo) => void): () => void {
    return this.#playerReconnect.add(listener);
  }
  /** The match started (fired once; also on joining or reconnecting to a running match). */
  onStart(listener: (info: MatchInfo) => void): () => void {
    return this.#start.add(listener);
  }
  /** The next frame, exactly once per frame number, in order. */
  onFrame(listener: (frame: LockstepFrame<TAction>) => void): () => void {
    return this.#frame.add(listener);
  }
  /** The match ended; the server closes the room right after. */
  onEnd(listener: (end: MatchEnd) => void): () => void {
    return this.#endSignal.add(listener);
  }
  /**
   * The server found that the players' states diverged (their hashes of a checked frame
   * differ): the notice names the frame, the last frame known good, the groups of players by
   * hash with the outliers, and the parts of the state that differ. Fired once per divergence.
   */
  onDesync(listener: (notice: DesyncNotice) => void): () => void {
    return this.#desync.add(listener);
  }
  /** The number of spectators watching changed (rooms that accept spectators). */
  onSpectators(listener: (count: number) => void): () => void {
    return this.#spectatorsSignal.add(listener);
  }
  /** A message was refused, a catch-up failed, or server data could not be decoded. */
  onError(listener: (error: LockstepClientError) => void): () => void {
    return this.#error.add(listener);
  }
  /** This client's connection dropped; the SDK is reconnecting. */
  onDrop(listener: () => void): () => void {
    return this.#dropSignal.add(listener);
  }
  /** This client's connection is back; missed frames are being fetched. */
  onReconnect(listener: () => void): () => void {
    return this.#reconnect.add(listener);
  }
  /**
   * The match is closed for this client: fired once, when `phase` becomes `closed`, with the
   * close code and a reason (the server's, else what the code means: see
   * `CLOSE_CODE_DESCRIPTIONS`). 4000: left, match over or kicked; 4429: closed as abusive;
   * 1009: a message was too large; 4003: reconnection gave up. A listener may take the code only.
   */
  onClose(listener: (code: number, reason: string) => void): () => void {
    return this.#close.add(({ code, reason }) => listener(code, reason));
  }

  /** The last frame delivered to `onFrame`, or undefined. */
  get lastFrame(): number | undefined {
    return this.#sequencer.lastDelivered;
  }
  /** The last frame delivered, decoded. */
  get lastFrameData(): LockstepFrame<TAction> | undefined {
    return this.#lastFrameData;
  }
  /** The last frame whose state hash this client sent (see `run`'s `hash`). */
  get lastCheckedFrame(): number | undefined {
    return this.#checksums?.lastChecked;
  }
  /** The last desync the server announced in this match, if any. */
  get lastDesync(): DesyncNotice | undefined {
    return this.#lastDesync;
  }
  /** Seated players, in slot order. */
  get players(): PlayerInfo[] {
    return [...this.#players.values()].sort((a, b) => a.slot - b.slot);
  }
  /** True when this client watches without a seat (`LockstepClient.spectate`): its frames come `spectatorDelayFrames` late. */
  get spectator(): boolean {
    return this.#spectator;
  }
  /** How many frames behind the newest a spectator's frames are (0 for a player). */
  get spectatorDelayFrames(): number {
    return this.#spectatorDelay;
  }
  /** How many spectators watch (as the server last said). */
  get spectators(): number {
    return this.#spectatorCount;
  }
  /** This client's uid and slot (known once `room_info` arrived, right after joining; slot -1 for a spectator). */
  get you(): { uid: string; slot: number } | undefined {
    return this.#you;
  }
  /** The match seed, once started. */
  get seed(): number | undefined {
    return this.#info?.seed;
  }
  /** The match as announced at start. */
  get info(): MatchInfo | undefined {
    return this.#info;
  }
  /** How it ended, once ended. */
  get end(): MatchEnd | undefined {
    return this.#end;
  }
  /**
   * `waiting`, `running`, `ended` (after `match_end`), then `closed` once the connection is gone
   * for good (`ended` matches too: `end` tells a match that ended normally from a lost one).
   */
  get phase(): MatchPhase {
    return this.#phase;
  }
  /** False while this client's connection is dropped, and once the match is closed. */
  get connected(): boolean {
    return this.#connected;
  }
  /** The close code, once `phase` is `closed`. */
  get closeCode(): number | undefined {
    return this.#closeInfo?.code;
  }
  /** The close reason (the server's, else what the code means), once `phase` is `closed`. */
  get closeReason(): string | undefined {
    return this.#closeInfo?.reason;
  }
  get roomId(): string {
    return this.room.roomId;
  }
  get sessionId(): string {
    return this.room.sessionId;
  }
  /** Pass to `LockstepClient.reconnect` to come back after a page reload. */
  get reconnectionToken(): string {
    return this.room.reconnectionToken;
  }

  /** Tells the room this player is ready (or, with `false`, not ready any more). Does nothing for a spectator. */
  ready(ready = true): void {
    if (this.#spectator) return;
    this.room.send(ControlMessage.ROOM_PREPARE, { ready });
  }

  /**
   * Sends one input. Returns false, sending nothing, while the match is not running or the
   * connection is dropped: a stale input replayed after a reconnection would land in the wrong frame.
   * A spectator sends nothing (false).
   */
  sendAction(action: TAction): boolean {
    if (this.#phase !== "running" || !this.#connected || this.#spectator) return false;
    this.room.sendBytes(BinaryMessage.SYNC_ACTION, encodeAction(action));
    return true;
  }

  /**
   * Fetches frames `from..to` (inclusive; `to` defaults to the last closed frame) from the
   * server's log, for replays or inspection. They are returned here only, never to `onFrame`.
   * Rejects with a `LockstepClientError`: the server's code, `CONNECTION_LOST` if the
   * connection is or goes down before the answer, `MATCH_CLOSED` once the match is closed.
   */
  async requestFrames(from: number, to?: number): Promise<LockstepFrame<TAction>[]> {
    if (this.#phase === "closed") throw this.#closedError();
    if (!this.#connected) {
      throw new LockstepClientError(ClientErrorCode.CONNECTION_LOST, "the connection is down; ask again after onReconnect");
    }
    const frames = await this.#explicitRequests.run(
      this.#mintRequestId(),
      (requestId) =>
        this.room.request(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, {
          start_frame: from,
          ...(to !== undefined ? { end_frame: to } : {}),
          request_id: requestId,
        }),
      asClientError,
    );
    return frames.map((bytes) => toLockstepFrame<TAction>(bytes, this.#uidOf));
  }

  /**
   * Leaves the room (consented: the seat is released at once) and resolves with the close code
   * once the match is closed. Never hangs: on a closed match it resolves at once with the code
   * it closed with; while reconnecting it stops the retries and resolves at once with the
   * drop's code; if the server does not confirm within 2 s, the match is closed here (1006).
   * Calling it again returns the same result.
   */
  leave(): Promise<number> {
    if (this.#phase !== "closed" && !this.#leaving) {
      this.#leaving = true;
      if (this.#reconnecting !== undefined) {
        const drop = this.#drop!;
        this.#finish(drop.code, `left while reconnecting (${drop.reason})`);
      } else {
        void this.room.leave(true);
        this.#leaveTimer = setTimeout(() => this.#leaveUnconfirmed(), LEAVE_CONFIRM_TIMEOUT_MS);
      }
    }
    return this.#closed;
  }

  #leaveUnconfirmed(): void {
    this.#finish(CloseCode.ABNORMAL_CLOSURE, "left without the server's confirmation");
    // Whatever still comes through on this socket belongs to a closed match.
    this.room.removeAllListeners();
    try {
      this.room.connection.close();
    } catch {
      // Already closing: nothing to release.
    }
  }

  /**
   * Drives a deterministic game loop: `step` once per frame, in order, at the match's frame
   * rate (faster when behind), `render` on every animation frame (browser) or timer tick (Node).
   */
  run(loop: GameLoop<TAction>, options: RunOptions = {}): RunHandle {
    const frameRate = this.#info?.frameRate;
    if (frameRate === undefined) throw new Error("run() needs the match to have started: call it from onStart");
    const snapshot = this.#snapshotToLoad;
    if (snapshot !== undefined) {
      if (options.load === undefined) throw new Error(`this match starts from a snapshot of frame ${snapshot.frame}: run() needs a \`load\` option`);
      options.load(snapshot.state);
      this.#snapshotToLoad = undefined;
    }
    const hash = options.hash;
    const checksums = hash === undefined ? undefined : this.#checksumReporter();
    const kept = options.save ?? options.dump;
    const checked = { hash: hash!, ...(kept !== undefined ? { dump: kept } : {}) };
    const checkedLoop: GameLoop<TAction> =
      checksums === undefined
        ? loop
        : {
            step: (frame) => {
              loop.step(frame);
              checksums.check(frame.frame, checked);
            },
            ...(loop.render !== undefined ? { render: (alpha: number) => loop.render!(alpha) } : {}),
          };
    const runner = new FixedStepRunner(checkedLoop, frameRate, options);
    const unsubscribe = this.#frame.add((frame) => runner.push(frame));
    const stopTicking = startTicking((now) => runner.tick(now), options.clock, 1000 / frameRate);
    return {
      stop: () => {
        unsubscribe();
        stopTicking();
      },
      get queued() {
        return runner.queued;
      },
      get lastStepped() {
        return runner.lastStepped;
      },
    };
  }

  /**
   * For a game that steps frames in its own loop rather than `run`: call right after stepping
   * each frame, with the state's hash (and, optionally, the state as plain data for desync
   * dumps). Sends it if `frame` is a checked frame of this match (a multiple of
   * `info.checksumInterval`) and not stale; returns true if it was sent.
   */
  sendChecksum(frame: number, hash: StateHash, dump?: () => unknown): boolean {
    const reporter = this.#info === undefined ? undefined : this.#checksumReporter();
    return reporter?.check(frame, { hash: () => hash, ...(dump !== undefined ? { dump } : {}) }) ?? false;
  }

  /** The match's checksum reporter (one per match), or undefined when checksums are off. */
  #checksumReporter(): ChecksumReporter | undefined {
    const info = this.#info!;
    // A spectator is not compared: its frames are late by design, and it has no seat to report for.
    if (info.checksumInterval <= 0 || this.#spectator) return undefined;
    this.#checksums ??= new ChecksumReporter(info.checksumInterval, info.frameRate, {
      sendChecksum: (bytes) => this.room.sendBytes(BinaryMessage.SYNC_CHECKSUM, bytes),
      sendDumpChunk: (bytes) => this.room.sendBytes(BinaryMessage.STATE_DUMP, bytes),
      sendSnapshotChunk: (bytes) => this.room.sendBytes(BinaryMessage.SNAPSHOT_UPLOAD, bytes),
      canSend: () => this.#connected && this.#phase === "running",
      newestFrame: () => this.#newestFrame,
    });
    return this.#checksums;
  }

  #uidOf = (slot: number): string => this.#uidBySlot.get(slot) ?? `slot-${slot}`;

  #upsert(player: PlayerInfo): void {
    this.#players.set(player.slot, player);
    this.#uidBySlot.set(player.slot, player.uid);
  }

  #onRoomInfo(info: RoomInfoMessage): void {
    this.#you = info.you;
    this.#spectator = info.spectator === true;
    this.#spectatorDelay = info.spectator_delay_frames ?? 0;
    if (info.spectators !== undefined) this.#spectatorCount = info.spectators;
    this.#phase = info.phase;
    for (const player of info.players) this.#upsert(player);
    // A first join to a running match that a snapshot follows: start from it once it is here (next on this socket).
    if (info.match !== undefined && info.snapshot_frame !== undefined && this.#useSnapshots && this.#info === undefined) {
      this.#awaitingSnapshot = info;
      return;
    }
    this.#catchUp(info);
  }

  #onSnapshot(message: SnapshotMessage): void {
    const info = this.#awaitingSnapshot;
    if (info === undefined || message.frame !== info.snapshot_frame) return;
    this.#awaitingSnapshot = undefined;
    let state: unknown;
    try {
      state = JSON.parse(message.state);
    } catch (error) {
      // Without a readable snapshot the match starts from the beginning, as without snapshots.
      this.#error.emit(protocolError(error));
      this.#catchUp(info);
      return;
    }
    this.#snapshotToLoad = { frame: message.frame, state };
    this.#catchUp(info, this.#snapshotToLoad);
  }

  #catchUp(info: RoomInfoMessage, snapshot?: MatchInfo["snapshot"]): void {
    if (info.match !== undefined) {
      this.#onStart(info.match, snapshot);
      if (info.last_frame !== undefined) {
        this.#newestFrame = Math.max(this.#newestFrame ?? info.last_frame, info.last_frame);
        this.#sequencer.catchUpTo(info.last_frame);
      }
    }
  }

  #onStart(start: MatchStartMessage, snapshot?: MatchInfo["snapshot"]): void {
    if (this.#info !== undefined) return;
    if (this.#phase === "waiting") this.#phase = "running";
    for (const player of start.players) this.#upsert(player);
    this.#info = { ...toMatchInfo(start), ...(snapshot !== undefined ? { snapshot } : {}) };
    this.#sequencer.start(snapshot === undefined ? start.start_frame : snapshot.frame + 1);
    this.#start.emit(this.#info);
  }

  #receive(bytes: Uint8Array): void {
    let frame: number;
    try {
      frame = frameNumberOf(bytes);
    } catch (error) {
      this.#error.emit(protocolError(error));
      return;
    }
    if (this.#newestFrame === undefined || frame > this.#newestFrame) this.#newestFrame = frame;
    // The SDK reuses nothing, but copying keeps buffered frames independent of the socket's buffers.
    this.#sequencer.receive(frame, bytes.slice());
  }

  #onReloadChunk(bytes: Uint8Array): void {
    let chunk: ReloadChunk;
    try {
      chunk = decodeReloadChunk(bytes.slice());
    } catch (error) {
      this.#error.emit(protocolError(error));
      return;
    }
    if (this.#explicitRequests.collect(chunk.requestId, chunk.frameBytes)) return;
    for (let i = 0; i < chunk.frames.length; i++) this.#sequencer.receive(chunk.frames[i]!.frame, chunk.frameBytes[i]!);
  }

  #deliver(_frame: number, bytes: Uint8Array): void {
    let frame: LockstepFrame<TAction>;
    try {
      frame = toLockstepFrame<TAction>(bytes, this.#uidOf);
    } catch (error) {
      this.#error.emit(protocolError(error));
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
        const retryAfter = Number(error.details?.retry_after_ms ?? DEFAULT_RETRY_MS);
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
