import { randomInt, randomUUID } from "node:crypto";
import {
  CloseCode,
  ErrorCode,
  OnMessageException,
  Room,
  ServerError,
  logger,
  matchMaker,
  type Client,
  type RoomException,
  type RoomMethodName,
} from "@colyseus/core";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { FrameEventKind } from "../protocol/frame-codec.ts";
import {
  BinaryMessage,
  ControlMessage,
  LockstepCloseCode,
  LockstepErrorCode,
  type LockstepErrorMessage,
  type MatchEndMessage,
  type MatchPhase,
  type MatchStartMessage,
  type RoomInfoMessage,
} from "../protocol/messages.ts";
import { ActionIntake, type ActionVerdict } from "./action-intake.ts";
import { ActionReceiver } from "./action-receiver.ts";
import { ClientPolicy, type RequestReply } from "./client-policy.ts";
import { MessageGate } from "./message-gate.ts";
import { toClosedFrame, type ClosedFrame } from "./closed-frame.ts";
import { FrameLog } from "./frame-log.ts";
import { FrameScheduler, systemClock } from "./frame-scheduler.ts";
import { defaultIdentity, isAuthenticated } from "./identity.ts";
import { InputQueue } from "./input-queue.ts";
import { resolveLockstepOptions, type LockstepOptions, type LockstepOptionsInput } from "./options.ts";
import { ReloadService } from "./reload-service.ts";
import { OutgoingTraffic } from "./outgoing-traffic.ts";
import { HookGuard } from "./hook-guard.ts";
import { StartTimers } from "./start-timers.ts";
import { FramePublisher, type PublishFailure } from "./frame-publisher.ts";
import { FrameCloser } from "./frame-closer.ts";
import { FrameFanout, sendBytesToAll } from "./frame-fanout.ts";
import type { PhaseLease } from "./phase-balancer.ts";
import { placeholderClient, seatRecords } from "./seat-records.ts";
import type { ResumeTicket, RoomJournal } from "./match-persistence.ts";
import { ResumedSeatCounts } from "./resumed-seat-counts.ts";
import { servicesOf, type FrameClock, type LockstepServices } from "./room-services.ts";
import { DesyncWatch } from "./desync-watch.ts";
import type { DesyncNotice, DesyncReport } from "./desync-report.ts";
import { ReplayRecorder } from "./replay-recorder.ts";
import { SpectatorGallery, type SpectatorIdentity } from "./spectator-gallery.ts";
import { SnapshotKeeper } from "./snapshot-keeper.ts";
import { ListingRefresher } from "./listing-refresher.ts";
import type { RoomGaugeSource } from "./metrics.ts";
import { queuedBytes } from "./send-queue.ts";
import { RecentLateness } from "./recent-lateness.ts";
import { listingStats, operatorLateness, operatorLog, operatorPlayer, type ListingStats, type MatchInspection } from "./operator-view.ts";
import { decodeStateDumpChunk, type StateDumpChunk } from "../protocol/checksum-codec.ts";
import { readLogFrames } from "./log-frames.ts";
import type { ReplayHeader } from "../protocol/replay-format.ts";
import { Roster, everyoneReady, playerInfo, type LockstepPlayer, type PlayerIdentity } from "./roster.ts";

/** Why a player left: `"left"` (consented, or the reconnection window expired) or `"kicked"` (closed as abusive). */
export type LeaveReason = "left" | "kicked";

/**
 * A Colyseus room that runs a server-driven lockstep match instead of syncing state.
 *
 * Players join and send `room_prepare`; when the start rule holds the room broadcasts
 * `match_start` (roster, seed, frame rate, first frame) and closes a frame every
 * `1 / frameRate` seconds on absolute deadlines. Each frame holds the actions received since
 * the previous one, in arrival order, stamped with the sender's slot; it is encoded once and
 * the same bytes go to every client and into the frame log, from which clients reload.
 *
 * A game extends it, sets `lockstep` (settings) and optionally `actionSchema`, and fills the
 * hooks it needs. If it overrides `onCreate`, `onJoin`, `onDrop`, `onReconnect`, `onLeave` or
 * `onDispose`, it must call `super`.
 *
 * @typeParam TAction - the game's action type; flows to `validateAction`, `onFrameClosed` and the client SDK.
 */
export class LockstepRoom<TAction = unknown> extends Room {
  /** Type-only marker: lets the client SDK infer the action type from the room class (`ActionOf<typeof room>`). */
  declare readonly "~action"?: TAction;

  /** Settings of this room (see `LockstepOptionsInput`). Read once, in `onCreate`. */
  lockstep: LockstepOptionsInput = {};

  /** Optional Standard Schema (e.g. zod) every action must match; its output is what hooks see. */
  actionSchema?: StandardSchemaV1<unknown, TAction>;

  /** Hook: accept (`true`/nothing) or refuse (`false`/a reason) an action that passed the limits and schema. */
  validateAction?(action: TAction, player: LockstepPlayer, frame: number): ActionVerdict;
  /** Hook: replaces the default start rule (at least `minPlayers`, everyone ready). Checked on every join, leave and ready change. */
  canStart?(players: readonly LockstepPlayer[]): boolean;
  /** Hook: identity of a joining client; the default takes the uid from auth data or the session (see `defaultIdentity`). */
  resolvePlayer?(client: Client, options: unknown, auth: unknown): PlayerIdentity;
  /** Hook: the match started. */
  onMatchStart?(match: MatchStartMessage): void;
  /** Hook: a frame closed and was broadcast. Server-side observer: runs on the tick, keep it short. */
  onFrameClosed?(frame: ClosedFrame<TAction>): void;
  /** Hook: a player took a seat. */
  onPlayerJoin?(player: LockstepPlayer): void;
  /** Hook: a player's connection dropped; the seat is held for `reconnectWindowSeconds`. */
  onPlayerDrop?(player: LockstepPlayer): void;
  /** Hook: a dropped player is back. */
  onPlayerReconnect?(player: LockstepPlayer): void;
  /** Hook: a player left for good. */
  onPlayerLeave?(player: LockstepPlayer, reason: LeaveReason): void;
  /** Hook: a spectator started watching (no seat; see the README's "Spectators"). */
  onSpectatorJoin?(spectator: SpectatorIdentity): void;
  /** Hook: a spectator stopped watching (left, dropped or kicked). */
  onSpectatorLeave?(spectator: SpectatorIdentity): void;
  /** Hook: the match ended; the room closes right after. */
  onMatchEnd?(end: MatchEndMessage): void;
  /** Hook: the players' state hashes disagreed (the notice every client also gets as `desync`). */
  onDesync?(notice: DesyncNotice): void;
  /**
   * Hook: settings of the game that affect play (map, mode, rules), stored in the match's
   * replay next to the room's own (`frame_rate`, `max_players`, …). Called once, when the match ends.
   */
  replaySettings?(): Record<string, unknown>;
  /** Hook: a desync report is finished, with the players' state dumps and their differences (also stored, with a report store). */
  onDesyncReport?(report: DesyncReport): void;

  #settings: LockstepOptions | undefined;
  #roster!: Roster;
  #queue!: InputQueue<TAction>;
  #log!: FrameLog;
  #scheduler!: FrameScheduler;
  #intake!: ActionIntake<TAction>;
  #reloads!: ReloadService;
  #outgoing: OutgoingTraffic | undefined;
  #startTimers: StartTimers | undefined;
  /** Runs the game's hooks; one that throws is reported to `onUncaughtException` and skipped. */
  readonly #hooks = new HookGuard((hook, error) => this.onUncaughtException(error, hook));
  #publisher!: FramePublisher;
  #closer!: FrameCloser<TAction>;
  #journal: RoomJournal | undefined;
  #services: LockstepServices = {};
  #frameClock: FrameClock | undefined;
  /** Set while a stopping process hands the match over: connections close without leaving the match. */
  #handingOver = false;
  /** Set when the match is given up without a hand-over record (the journal failed): the lease is left to lapse. */
  #abandoned = false;
  #phaseLease: PhaseLease | undefined;
  /** This room counts against the process's room limit (see `SeatRegistry`). */
  #counted = false;
  #policy!: ClientPolicy;
  /** When each connection opened (join or reconnection), for the monitor's clients tab; gone with the connection. */
  readonly #connectedAt = new WeakMap<Client, number>();
  /** The last minute's tick lateness, for operators. */
  readonly #recentLateness = new RecentLateness();
  /** The listing metadata the monitor's grid shows (see `listingRefreshMs`). */
  #listing: ListingRefresher | undefined;
  /** Desync detection, when checksums are on. */
  #desync: DesyncWatch | undefined;
  #phase: MatchPhase = "waiting";
  /** The path of every action, off the room object (see `ActionReceiver`). */
  #actions: ActionReceiver<TAction> | undefined;
  #match: MatchStartMessage | undefined;
  /** Set while the room closes everyone out (waiting timeout): drops are not held for reconnection. */
  #closing = false;
  /** What the match's replay says besides its frames, when the process keeps replays. */
  #recorder: ReplayRecorder | undefined;
  /** Clients watching without a seat. */
  #gallery!: SpectatorGallery;
  /** Verified snapshots, with `snapshotIntervalFrames`. */
  #snapshots: SnapshotKeeper | undefined;

  /** Validated settings. */
  get settings(): LockstepOptions {
    if (this.#settings === undefined) {
      throw new Error("LockstepRoom is not set up: a subclass overrode onCreate() without calling super.onCreate(options)");
    }
    return this.#settings;
  }

  /** `waiting`, `running` or `ended`. */
  get phase(): MatchPhase {
    return this.#phase;
  }

  /** Seated players in slot order. */
  get players(): LockstepPlayer[] {
    return this.#roster.players;
  }

  /** The match as announced in `match_start`, once started. */
  get match(): MatchStartMessage | undefined {
    return this.#match;
  }

  /** The last frame sent to the clients (`startFrame - 1` before the first). */
  get lastFrame(): number {
    return this.#publisher.lastPublished;
  }

  /** The frame log (read-only use: reloads, replays, inspection). */
  get frameLog(): FrameLog {
    return this.#log;
  }

  override onCreate(_options?: Record<string, unknown>): void | Promise<unknown> {
    this.#services = servicesOf(this);
    // A match this process claimed is created under its own room id (which no client can choose).
    const resumed = this.#services.persistence?.take(this.roomId);
    let settings = resolveLockstepOptions(this.lockstep);
    // A resumed match keeps the rate and numbering it was started with.
    if (resumed !== undefined) {
      const stored = resumed.stored.match.match;
      // Records written before checksums existed carry no interval: the room's own applies.
      settings = {
        ...settings,
        frameRate: stored.frame_rate,
        startFrame: stored.start_frame,
        checksumInterval: stored.checksum_interval ?? settings.checksumInterval,
      };
    }
    this.#settings = settings;
    // Spectators connect to the room too: Colyseus's bound covers both; onJoin bounds each.
    this.maxClients = settings.maxPlayers + settings.maxSpectators;
    this.#roster = new Roster(settings.maxPlayers);
    this.#gallery = new SpectatorGallery(settings.maxSpectators, settings.spectatorDelayFrames);
    this.#queue = new InputQueue(settings.maxPlayers);
    // A resumed log starts at the journal's first frame (later than the match's if the journal was rebuilt from memory).
    this.#log = new FrameLog({ firstFrame: resumed?.stored.firstFrame ?? settings.startFrame, maxBytes: settings.maxLogBytes });
    this.#policy = new ClientPolicy(settings, () => this.#services.metrics?.kicked("abuse"));
    if (this.#services.replays !== undefined) this.#recorder = new ReplayRecorder(undefined, settings.replaySnapshotBytes);
    const gate = MessageGate.install(this, this.#policy);
    this.#intake = new ActionIntake(settings, this.#queue, this.actionSchema, this.#hooks.validator(this.validateAction, this));
    this.#reloads = new ReloadService(this.#log, settings);
    this.#outgoing = new OutgoingTraffic(
      settings.maxSendQueueBytes,
      () => this.clients,
      () => this.roomId,
      (bytes) => this.#services.metrics?.recordReload(bytes),
    );
    this.#startTimers = new StartTimers(settings, () => this.startMatch(), this.#reclaimUnstarted);
    const fanout = new FrameFanout({
      clients: this.clients,
      gallery: this.#gallery,
      log: this.#log,
      outgoing: this.#outgoing,
      metrics: this.#services.metrics,
    });
    this.#publisher = new FramePublisher({ log: this.#log, send: fanout.send, onFailure: this.#giveUp });
    this.#closer = new FrameCloser({
      queue: this.#queue,
      log: this.#log,
      publisher: this.#publisher,
      logOverflow: settings.logOverflow,
      metrics: this.#services.metrics,
      recent: this.#recentLateness,
      onLogFull: () => this.#finish("log_full", undefined),
      onClosed: (frame, entries) => {
        this.#desync?.frameClosed(frame);
        this.#snapshots?.advance(frame);
        if (this.onFrameClosed !== undefined) this.#hooks.run("onFrameClosed", () => this.onFrameClosed!(toClosedFrame(frame, entries)));
      },
    });
    fanout.closer = this.#closer;
    this.#scheduler = this.#newScheduler(settings.startFrame);
    const actions = new ActionReceiver({
      policy: this.#policy,
      roster: this.#roster,
      gallery: this.#gallery,
      intake: this.#intake,
      metrics: this.#services.metrics,
      scheduler: this.#scheduler,
    });
    this.#actions = actions;

    this.onMessage(ControlMessage.ROOM_PREPARE, this.#onPrepare);
    this.onMessage(ControlMessage.SYNC_ACTION, actions.receiveDecoded);
    // The hot message: the gate hands it over without Colyseus's dispatch.
    gate.handleBytes(BinaryMessage.SYNC_ACTION, actions.receiveBytes);
    this.onMessage(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, this.#onReloadRequest);
    if (settings.checksumInterval > 0) {
      this.#desync = this.#newDesyncWatch(settings);
      gate.handleBytes(BinaryMessage.SYNC_CHECKSUM, this.#onChecksum);
      gate.handleBytes(BinaryMessage.STATE_DUMP, this.#onStateDump);
      if (settings.snapshotIntervalFrames > 0) {
        // An upload gets ten seconds, as a dump does.
        this.#snapshots = new SnapshotKeeper(settings.snapshotIntervalFrames, settings.maxSnapshotBytes, 10 * settings.frameRate, settings.startFrame, {
          connected: (slot) => this.#roster.bySlot(slot)?.connected === true,
          request: (slot, request) => this.#roster.bySlot(slot)?.client.send(ControlMessage.SNAPSHOT_REQUEST, request),
          verified: (snapshot) => {
            if (this.#services.metrics !== undefined) this.#services.metrics.snapshotsVerified++;
            this.#journal?.saveSnapshot(snapshot);
            this.#recorder?.snapshot(snapshot);
          },
        });
        gate.handleBytes(BinaryMessage.SNAPSHOT_UPLOAD, this.#onSnapshotUpload);
      }
    }
    // Counted last, once nothing else can fail: a room refused here never existed.
    const full = this.#services.seats?.roomOpened(this.roomId, resumed !== undefined);
    if (full !== undefined) {
      this.onDispose();
      throw new ServerError(503, full);
    }
    this.#counted = true;
    this.#services.metrics?.addRoom(this.#gauges);
    this.#listing = new ListingRefresher(
      settings.listingRefreshMs,
      () => ({ ...this.#listingStats() }),
      (metadata) => this.#writeListing(metadata),
    );
    if (resumed !== undefined) this.#resume(resumed);
    else {
      this.#startTimers.armWaiting();
      this.#listing.start();
    }
  }

  /** What this room adds to the process's gauges, read when `/metrics` is scraped. */
  readonly #gauges: RoomGaugeSource = {
    read: () => {
      const players = this.#roster.players;
      const connected = players.filter((player) => player.connected).length;
      let sendQueueBytes = 0;
      for (const client of this.clients) sendQueueBytes += queuedBytes(client);
      return {
        roomName: this.roomName,
        phase: this.#phase,
        playersConnected: connected,
        playersDropped: players.length - connected,
        spectators: this.#gallery.size,
        logBytes: this.#log.storedBytes,
        sendQueueBytes,
      };
    },
  };

  /** The values of the monitor's grid for this room (see `ListingStats`). */
  #listingStats(): ListingStats {
    return listingStats({
      phase: this.#phase,
      frame: this.#publisher.lastPublished,
      rate: this.settings.frameRate,
      players: this.#roster.players,
      spectators: this.#gallery.size,
      lateness: operatorLateness(this.#recentLateness, performance.now()),
      log: operatorLog(this.#log),
    });
  }

  /** Merged into the game's own metadata; never while the room is handed over or closing (its listing is going away). */
  async #writeListing(stats: Record<string, unknown>): Promise<void> {
    if (this.#handingOver || this.#closing) return;
    await this.setMetadata({ ...this.metadata, ...stats });
  }

  /** A room whose match never starts is reclaimed (see `waitingTimeoutSeconds`). */
  #reclaimUnstarted = (): void => {
    if (this.#phase !== "waiting") return;
    logger.info(`lockstep: room ${this.roomId} closed: its match did not start within ${this.settings.waitingTimeoutSeconds} s`);
    this.#closing = true;
    this.#listing?.stop();
    this.disconnect(LockstepCloseCode.WAITING_TIMEOUT).catch(() => undefined);
  };

  override onJoin(client: Client, options?: unknown, auth?: unknown): void | Promise<unknown> {
    this.#connectedAt.set(client, Date.now());
    const settings = this.settings;
    if (this.#phase === "ended") throw new ServerError(ErrorCode.APPLICATION_ERROR, "the match has ended");
    if (this.#phase === "running" && !settings.lateJoin && !wantsToSpectate(options)) {
      throw new ServerError(ErrorCode.APPLICATION_ERROR, "the match has already started");
    }
    if (settings.requireAuth && !isAuthenticated(auth)) {
      throw new ServerError(ErrorCode.AUTH_FAILED, "a login token is required to join this room");
    }
    const identity = this.resolvePlayer ? this.resolvePlayer(client, options, auth) : defaultIdentity(client, options, auth);
    if (this.#roster.byUid(identity.uid) !== undefined || this.#gallery.byUid(identity.uid) !== undefined) {
      throw new ServerError(ErrorCode.APPLICATION_ERROR, `player ${identity.uid} is already in this room`);
    }
    if (wantsToSpectate(options)) {
      this.#addSpectator(client, identity);
      return;
    }
    if (this.#roster.size >= settings.maxPlayers) {
      throw new ServerError(ErrorCode.APPLICATION_ERROR, `the room is full (${settings.maxPlayers} players)`);
    }
    const player = this.#roster.seat(identity, client);
    if (isAuthenticated(auth)) this.#services.seats?.seated(player.uid, this.roomId);
    this.#policy.watch(client);
    this.#policy.open(client.sessionId);
    if (this.#phase === "running") {
      this.#queue.pushEvent(player.slot, player.uid, FrameEventKind.JOINED);
      this.#recorder?.joined(player, this.#scheduler.nextFrame);
    } else {
      this.#recorder?.seated(player.uid);
    }

    this.#sendRoomInfo(client, this.#roomInfo(player));
    this.broadcast(ControlMessage.ROOM_ENTER, playerInfo(player));
    this.#saveSeats();
    this.#hooks.run("onPlayerJoin", () => this.onPlayerJoin?.(player));
    this.#armReadyTimer();
    this.#listWhileSeatsFree();
    this.#maybeStart();
  }

  /** Seats `client` as a spectator (see {@link SpectatorGallery}): no slot, no actions, frames `spectatorDelayFrames` late. */
  #addSpectator(client: Client, identity: PlayerIdentity): void {
    if (this.#gallery.capacity === 0) throw new ServerError(ErrorCode.APPLICATION_ERROR, "this room does not accept spectators");
    if (this.#gallery.full) throw new ServerError(ErrorCode.APPLICATION_ERROR, `the room's ${this.#gallery.capacity} spectator places are taken`);
    this.#gallery.add({ uid: identity.uid, name: identity.name, sessionId: client.sessionId, client });
    this.#policy.watch(client);
    this.#policy.open(client.sessionId);
    this.#sendRoomInfo(client, this.#spectatorInfo(identity.uid));
    this.broadcast(ControlMessage.ROOM_SPECTATORS, { count: this.#gallery.size });
    const spectator: SpectatorIdentity = { uid: identity.uid, name: identity.name, sessionId: client.sessionId };
    this.#hooks.run("onSpectatorJoin", () => this.onSpectatorJoin?.(spectator));
  }

  /**
   * With spectators allowed the room's Colyseus bound is not its seat count, so the room hides
   * itself from `joinOrCreate` (private, not locked: spectators still join it by id) while every
   * seat is taken, and shows itself again when one frees before the start.
   */
  #listWhileSeatsFree(): void {
    if (this.#gallery.capacity === 0 || this.#phase === "ended" || (this.#phase === "running" && !this.settings.lateJoin)) return;
    // Colyseus writes the listing only when the flag changes.
    this.setPrivate(this.#roster.size >= this.settings.maxPlayers).catch(() => undefined);
  }

  /** Keeps players from joining a running match by matchmaking: locked, or private when spectators may still join by id. */
  #hideFromMatchmaking(): Promise<unknown> {
    return this.#gallery.capacity > 0 ? this.setPrivate(true) : this.lock();
  }

  override onDrop(client: Client, code?: number): void | Promise<unknown> {
    this.#outgoing?.forget(client.sessionId);
    // Colyseus closes a client with 4002 for input it could not handle (a failed validator of
    // a game's own message): that is abuse, not a network drop, so no reconnection window.
    if (code === CloseCode.WITH_ERROR) this.#policy.kick(client.sessionId);
    const player = this.#roster.bySession(client.sessionId);
    const window = this.settings.reconnectWindowSeconds;
    // Without allowReconnection here, Colyseus goes on to onLeave: the seat is released.
    // A client closed for abuse (flood, oversized message) gets no reconnection window.
    if (this.#handingOver || this.#closing) return;
    if (player === undefined || window === 0 || this.#phase === "ended" || this.#policy.isKicked(client.sessionId)) return;

    player.connected = false;
    player.droppedAt = Date.now();
    this.#desync?.playerGone(player.slot);
    this.#snapshots?.playerGone(player.slot);
    this.allowReconnection(client, window).catch(() => {
      // The window expired: Colyseus calls onLeave, which releases the seat.
    });
    if (this.#phase === "running") this.#queue.pushEvent(player.slot, player.uid, FrameEventKind.DROPPED);
    this.broadcast(ControlMessage.ROOM_DROP, playerInfo(player));
    this.#hooks.run("onPlayerDrop", () => this.onPlayerDrop?.(player));
  }

  override onReconnect(client: Client): void | Promise<unknown> {
    const player = this.#roster.bySession(client.sessionId);
    if (player === undefined) return;
    player.connected = true;
    player.droppedAt = undefined;
    player.client = client;
    this.#connectedAt.set(client, Date.now());
    this.#policy.watch(client);
    if (this.#phase === "running") this.#queue.pushEvent(player.slot, player.uid, FrameEventKind.RECONNECTED);
    this.#sendRoomInfo(client, this.#roomInfo(player));
    this.broadcast(ControlMessage.ROOM_RECONNECT, playerInfo(player));
    this.#saveSeats();
    this.#hooks.run("onPlayerReconnect", () => this.onPlayerReconnect?.(player));
  }

  override onLeave(client: Client, _code?: number): void | Promise<unknown> {
    this.#outgoing?.forget(client.sessionId);
    // The session is gone for good: whatever kicked it is forgotten here, whoever it was (a
    // spectator, a player whose seat was already released, a client never seated).
    const kicked = this.#policy.takeKicked(client.sessionId);
    const watcher = this.#gallery.remove(client.sessionId);
    if (watcher !== undefined) {
      this.#policy.close(client.sessionId);
      if (!this.#handingOver && this.#phase !== "ended") this.broadcast(ControlMessage.ROOM_SPECTATORS, { count: this.#gallery.size });
      const spectator: SpectatorIdentity = { uid: watcher.uid, name: watcher.name, sessionId: watcher.sessionId };
      this.#hooks.run("onSpectatorLeave", () => this.onSpectatorLeave?.(spectator));
      return;
    }
    if (this.#handingOver) return;
    const player = this.#roster.bySession(client.sessionId);
    if (player === undefined) return;
    this.#releaseSeat(player, kicked ? "kicked" : "left");
  }

  #releaseSeat(player: LockstepPlayer, reason: LeaveReason): void {
    this.#roster.unseat(player);
    this.#policy.close(player.sessionId);
    this.#desync?.playerGone(player.slot);
    this.#snapshots?.playerGone(player.slot);
    if (isAuthenticated(player.client.auth)) this.#services.seats?.released(player.uid, this.roomId);
    if (this.#phase === "ended") return;
    if (this.#phase === "running") {
      this.#queue.pushEvent(player.slot, player.uid, FrameEventKind.LEFT);
      this.#recorder?.left(player, this.#scheduler.nextFrame, reason);
    } else {
      this.#recorder?.unseated(player.uid);
    }
    this.#saveSeats();
    this.broadcast(ControlMessage.ROOM_LEAVE, { uid: player.uid, slot: player.slot, reason });
    this.#hooks.run("onPlayerLeave", () => this.onPlayerLeave?.(player, reason));

    if (this.#phase === "running" && this.#roster.size === 0) {
      this.#finish("abandoned", undefined);
    } else {
      this.#armReadyTimer();
      this.#listWhileSeatsFree();
      this.#maybeStart();
    }
  }

  override onDispose(): void | Promise<unknown> {
    this.#listing?.stop();
    this.#services.metrics?.removeRoom(this.#gauges);
    this.#scheduler?.stop();
    this.#outgoing?.stop();
    this.#startTimers?.clear();
    if (this.#counted) this.#services.seats?.roomClosed(this.roomId);
    this.#counted = false;
    this.#phaseLease?.release();
    const journal = this.#journal;
    if (journal === undefined) return;
    if (this.#handingOver && !this.#abandoned) journal.releaseForResume();
    else journal.stop();
  }

  /**
   * Called by Colyseus when this process stops gracefully. A match that outlives its process
   * (a match store is configured) is handed over: the due frames close, every frame is
   * stored, clients are told (`room_handover`) and disconnected with 4010, and another
   * process resumes the match with the same room id, where the clients reconnect and catch up.
   * Without a store, the room closes as any Colyseus room does.
   */
  override async onBeforeShutdown(): Promise<void> {
    const journal = this.#journal;
    if (this.#abandoned) return;
    if (journal === undefined || this.#phase !== "running") return super.onBeforeShutdown();
    this.#scheduler.closeDueFrames();
    this.#scheduler.stop();
    this.#handingOver = true;
    this.#listing?.stop();
    await this.#publisher.settled();
    const recorded = this.#publisher.failure === undefined && (await journal.handover().catch(() => false));
    // Without the hand-over record the lease is left to lapse; another process resumes the match then.
    if (!recorded) this.#abandoned = true;
    this.broadcast(ControlMessage.ROOM_HANDOVER, { room_id: this.roomId, last_frame: this.#publisher.lastPublished });
    await this.disconnect(CloseCode.MAY_TRY_RECONNECT);
  }

  /** What an operator sees of this match (also across processes, through `matchMaker.remoteRoomCall`). */
  inspect(): MatchInspection {
    const settings = this.settings;
    return {
      roomId: this.roomId,
      roomName: this.roomName,
      processId: matchMaker.processId,
      phase: this.#phase,
      lastFrame: this.#publisher.lastPublished,
      frame_rate: settings.frameRate,
      match: this.#match,
      settings,
      players: this.#roster.players.map(operatorPlayer),
      spectators: this.#gallery.size,
      lateness: operatorLateness(this.#recentLateness, performance.now()),
      log: operatorLog(this.#log),
      snapshot_frame: this.#snapshots?.latest?.frame,
      checksums: this.#desync?.stats(),
      desync_reports: this.#desync === undefined ? undefined : `/admin/desyncs?room=${encodeURIComponent(this.roomId)}`,
      replay_id: this.#recorder?.replayId,
    };
  }

  /**
   * The room view of `@colyseus/monitor` (which asks every room for this): the connected
   * sessions as its clients tab lists them, and {@link inspect} where a schema room shows its state.
   */
  getInspectData(): Record<string, unknown> {
    const now = Date.now();
    return {
      roomId: this.roomId,
      metadata: this.metadata,
      maxClients: this.maxClients,
      locked: this.locked,
      // As the monitor's own inspection does: how long each connection has been open.
      clients: this.clients.map((client) => ({ sessionId: client.sessionId, elapsedTime: now - (this.#connectedAt.get(client) ?? now) })),
      state: this.inspect(),
      stateSize: 0,
    };
  }

  /**
   * An operator ends this room from the monitor: a running match ends with `result` (players get
   * `match_end`), a room still waiting is closed. Returns what was done.
   */
  endByOperator(result: unknown): "ended" | "closed" | "already ended" {
    if (this.#phase === "running") {
      this.endMatch(result);
      return "ended";
    }
    if (this.#phase === "ended" || this.#closing) return "already ended";
    this.#closing = true;
    this.#listing?.stop();
    this.disconnect(CloseCode.CONSENTED).catch(() => undefined);
    return "closed";
  }

  /** An operator removes a session from the room (the monitor's "disconnect client"): a player is kicked as by {@link kickPlayer}, a spectator leaves. */
  kickSession(sessionId: string): boolean {
    const player = this.#roster.bySession(sessionId);
    if (player !== undefined) return this.kickPlayer(player.uid);
    const watcher = this.clients.find((client) => client.sessionId === sessionId);
    if (watcher === undefined) return false;
    this.#policy.kick(sessionId);
    this.#services.metrics?.kicked("operator");
    watcher.leave(CloseCode.CONSENTED, "kicked by an operator");
    return true;
  }

  /** Removes a player from the match for good (close code 4000, `room_leave` reason `kicked`). Returns false if no such player. */
  kickPlayer(uid: string): boolean {
    const player = this.#roster.byUid(uid);
    if (player === undefined) return false;
    this.#policy.kick(player.sessionId);
    this.#services.metrics?.kicked("operator");
    if (player.connected) player.client.leave(CloseCode.CONSENTED, "kicked by an operator");
    else this.#releaseSeat(player, "kicked");
    return true;
  }

  /**
   * Ends the match: no further frame closes, every client gets `match_end` with `result` and
   * the last frame number, then the room disconnects everyone and disposes. Inputs received
   * after the last closed frame are discarded. Does nothing if the match already ended.
   */
  endMatch(result?: unknown): void {
    this.#finish("ended", result);
  }

  /** Starts the match now, whatever the start rule says (at least one player must be seated). */
  startMatch(): void {
    if (this.#phase !== "waiting" || this.#roster.size === 0) return;
    const settings = this.settings;
    this.#setPhase("running");
    this.#startTimers?.clear();
    if (!settings.lateJoin) {
      this.#hideFromMatchmaking().catch(() => {
        // Only hides the room from matchmaking; onJoin refuses late joiners regardless.
      });
    }
    this.#match = {
      players: this.#roster.players.map(playerInfo),
      // An unsigned 32-bit seed fits every common deterministic PRNG (mulberry32, xorshift32, PCG32 streams).
      seed: randomInt(0, 2 ** 32),
      frame_rate: settings.frameRate,
      start_frame: settings.startFrame,
      checksum_interval: settings.checksumInterval,
    };
    this.#recorder?.start(randomUUID(), this.#roster.players, settings.startFrame);
    this.broadcast(ControlMessage.MATCH_START, this.#match);
    const persistence = this.#services.persistence;
    if (persistence !== undefined) {
      const history = this.#recorder?.history();
      const record = {
        roomId: this.roomId,
        roomName: this.roomName,
        match: this.#match,
        seats: seatRecords(this.#roster.players),
        status: "running",
        ...(history !== undefined ? { history } : {}),
      } as const;
      this.#journal = persistence.open(record);
      this.#publisher.attach(this.#journal);
    }
    this.#startClock();
    if (this.#services.metrics !== undefined) this.#services.metrics.matchesStarted++;
    const match = this.#match;
    this.#hooks.run("onMatchStart", () => this.onMatchStart?.(match));
  }

  /** At the end of the match spectators may see everything: the frames their delay held back go out before `match_end`. */
  #releaseDelayedFrames(): void {
    const gallery = this.#gallery;
    if (gallery.size === 0) return;
    const last = this.#publisher.lastPublished;
    for (let frame = Math.max(this.#log.firstFrame, gallery.visibleFrame(last) + 1); frame <= last; frame++) {
      sendBytesToAll(gallery.clients, BinaryMessage.SYNC_FRAME, this.#log.get(frame)!);
    }
  }

  #finish(reason: MatchEndMessage["reason"], result: unknown): void {
    if (this.#phase === "ended") return;
    this.#setPhase("ended");
    // The grid says "ended" until the room is gone; nothing is written after that.
    this.#listing?.refresh();
    this.#listing?.stop();
    if (this.#services.metrics !== undefined) this.#services.metrics.matchesEnded++;
    this.#scheduler.stop();
    this.#phaseLease?.release();
    this.#startTimers?.clear();
    const replayId = this.#recorder?.replayId;
    const end: MatchEndMessage = { reason, result, last_frame: this.#log.lastFrame, ...(replayId !== undefined ? { replay_id: replayId } : {}) };
    const journal = this.#journal;
    // match_end goes out after the last frame (which, with a journal, may still be being stored).
    void this.#publisher.settled().then(() => {
      // Frames that could not be stored were never sent: the match is given up, not ended (see #giveUp).
      if (this.#publisher.failure !== undefined) return;
      this.#releaseDelayedFrames();
      this.broadcast(ControlMessage.MATCH_END, end);
      this.#hooks.run("onMatchEnd", () => this.onMatchEnd?.(end));
      const replay = this.#replayHeader(end);
      const finished = journal?.finish(replay).catch((error: unknown) => logger.error(`lockstep: could not close the record of ${this.roomId}:`, error));
      if (replay !== undefined) this.#archiveReplay(replay, journal, finished);
      this.disconnect(CloseCode.CONSENTED).catch(() => {
        // Already disposing: nothing left to close.
      });
    });
  }

  /** The ended match's replay header, when this process keeps replays. */
  #replayHeader(end: MatchEndMessage): ReplayHeader | undefined {
    const match = this.#match;
    if (this.#services.replays === undefined || this.#recorder?.replayId === undefined || match === undefined) return undefined;
    let gameSettings: Record<string, unknown> = {};
    this.#hooks.run("replaySettings", () => {
      gameSettings = this.replaySettings?.() ?? {};
    });
    const settings = this.settings;
    return this.#recorder.header(
      {
        roomId: this.roomId,
        roomName: this.roomName,
        match,
        settings: {
          frame_rate: settings.frameRate,
          start_frame: settings.startFrame,
          min_players: settings.minPlayers,
          max_players: settings.maxPlayers,
          late_join: settings.lateJoin,
          max_actions_per_frame: settings.maxActionsPerFrame,
          max_action_bytes: settings.maxActionBytes,
          checksum_interval: settings.checksumInterval,
          ...gameSettings,
        },
        public: settings.replaysPublic,
      },
      end,
    );
  }

  /**
   * Hands the ended match to the replay archive, which reads its frames later, off the frame
   * clock: from the Redis journal when the match has one (so a match that moved between
   * processes gives one whole replay, and the journal goes once the replay is stored), else
   * from the frame log.
   */
  #archiveReplay(header: ReplayHeader, journal: RoomJournal | undefined, finished: Promise<void> | undefined): void {
    const archive = this.#services.replays!;
    const log = this.#log;
    if (journal === undefined) {
      archive.record({ header, frames: async () => readLogFrames(log) });
      return;
    }
    archive.record({
      header,
      frames: async () => {
        await finished;
        return journal.frames();
      },
      archived: () => journal.discard(),
    });
  }

  /**
   * Rebuilds a match from its stored record on this process (see `MatchRecovery`): same room
   * id, roster, seed and frames; the clock restarts here after the highest stored frame (every
   * frame a client may have seen, as only stored frames are sent); every seat waits for its
   * session to reconnect, and is released if it does not within the window.
   */
  #resume(ticket: ResumeTicket): void {
    const { stored, listed } = ticket;
    const record = stored.match;
    this.roomId = record.roomId;
    for (const frame of stored.frames) this.#log.append(frame);
    this.#scheduler = this.#newScheduler(this.#log.nextFrame);
    this.#actions!.scheduler = this.#scheduler;
    this.#match = { ...record.match, checksum_interval: this.settings.checksumInterval };
    this.#setPhase("running");
    // A record written before replays existed has no history: the replay starts with the seats it has.
    if (record.history !== undefined) this.#recorder?.restore(record.history);
    const window = this.settings.reconnectWindowSeconds;
    const counts = new ResumedSeatCounts(
      record.seats.map((seat) => seat.sessionId),
      listed,
    );
    for (const seat of record.seats) {
      const previous = placeholderClient(seat);
      const player = this.#roster.seat({ uid: seat.uid, name: seat.name, role: seat.role }, previous, seat.slot);
      if (isAuthenticated(seat.auth)) this.#services.seats?.seated(player.uid, this.roomId);
      player.connected = false;
      player.droppedAt = Date.now();
      this.#policy.open(seat.sessionId);
      this.#queue.pushEvent(player.slot, player.uid, FrameEventKind.DROPPED);
      this.allowReconnection(previous, window).then(
        () => counts.reconnected(seat.sessionId),
        () => {
          // Also rejected when the room closes (hand-over, end): the seat then stays in the record.
          if (this.#phase !== "running" || this.#handingOver) return counts.released(seat.sessionId);
          counts.expired(seat.sessionId);
          if (!player.connected && this.#roster.bySession(player.sessionId) === player) this.#releaseSeat(player, "left");
        },
      );
    }
    // Colyseus writes the listing only after onCreate: locking now would write a listing with no room id.
    listed.then(
      () => {
        if (!this.settings.lateJoin && this.#phase === "running" && !this.#handingOver) this.#hideFromMatchmaking().catch(() => undefined);
        if (this.#phase === "running" && !this.#handingOver) this.#listing?.start();
      },
      () => undefined,
    );
    if (record.history === undefined) this.#recorder?.start(randomUUID(), this.#roster.players, record.match.start_frame);
    this.#journal = this.#services.persistence!.resume(record);
    this.#publisher.attach(this.#journal);
    // The snapshot verified on the previous process, if the frames after it are still here (the journal may have been rebuilt later).
    const snapshot = stored.snapshot;
    if (this.#snapshots !== undefined && snapshot !== undefined && snapshot.frame + 1 >= this.#log.firstFrame && snapshot.frame <= this.#log.lastFrame) {
      this.#snapshots.restore(snapshot);
      this.#journal.saveSnapshot(snapshot);
      this.#recorder?.snapshot(snapshot);
    }
    this.#startClock();
  }

  /**
   * The journal failed for good (see `FramePublisher`): another process owns the match, or
   * nothing could be stored for the outage limit. The match is given up as in a hand-over,
   * without the final write: the clock stops, clients get `room_handover` and 4010 and
   * reconnect to whichever process resumes the match (from its last stored frame, the last one
   * any client saw); the lease is left to lapse.
   */
  #giveUp = (reason: PublishFailure): void => {
    if (this.#handingOver) return;
    logger.warn(`lockstep: match ${this.roomId} given up at frame ${this.#publisher.lastPublished} (journal: ${reason}); another process resumes it`);
    this.#handingOver = true;
    this.#abandoned = true;
    this.#listing?.stop();
    this.#scheduler.stop();
    this.#journal?.stop();
    this.broadcast(ControlMessage.ROOM_HANDOVER, { room_id: this.roomId, last_frame: this.#publisher.lastPublished });
    // Deferred: a journal that answers at once (the memory store) may report before Colyseus has finished creating the room.
    setImmediate(() => {
      this.disconnect(CloseCode.MAY_TRY_RECONNECT).catch(() => {
        // Already disposing: nothing left to close.
      });
    });
  };

  #newScheduler(startFrame: number): FrameScheduler {
    this.#frameClock ??= this.#services.frameClock?.(this.roomId);
    const closer = this.#closer;
    return new FrameScheduler({
      frameRate: this.settings.frameRate,
      startFrame,
      // The scheduler's reading is `performance.now()` unless a test drives the clock: then the closer reads its own.
      onFrame: this.#frameClock?.clock === undefined ? closer.close : (frame, lateMs) => closer.close(frame, lateMs),
      ...this.#frameClock,
    });
  }

  /** Starts the frame clock in the least-loaded phase of the period (see `PhaseBalancer`), or now without one. */
  #startClock(): void {
    this.#phaseLease = this.#services.phases?.acquire(this.settings.frameRate, (this.#frameClock?.clock ?? systemClock).now());
    this.#scheduler.start(this.#phaseLease?.startAt);
  }

  #saveSeats(): void {
    this.#journal?.saveSeats(seatRecords(this.#roster.players), this.#recorder?.history());
  }

  #maybeStart(): void {
    if (this.#phase !== "waiting") return;
    const players = this.#roster.players;
    let ready = false;
    this.#hooks.run("canStart", () => {
      ready = this.canStart ? this.canStart(players) : everyoneReady(players, this.settings.minPlayers);
    });
    if (ready) this.startMatch();
  }

  /**
   * Where errors of the room's code end up: Colyseus routes message handlers (sync throws and
   * async rejections), lifecycle methods and timers here, and so do the room's hooks. A
   * `ServerError` thrown on purpose (a refused join) is the client's answer, not an error; a
   * message handler that fails refuses that message (`MESSAGE_FAILED`, a strike: no client
   * input may reach an uncaught exception); everything is logged through the Colyseus logger.
   * Override to report elsewhere; call `super.onUncaughtException` to keep the refusal.
   */
  override onUncaughtException(error: RoomException | Error, methodName: RoomMethodName | string): void {
    if (error.cause instanceof ServerError) return;
    if (error instanceof OnMessageException && error.client !== undefined && this.#policy !== undefined) {
      const type = typeof error.type === "string" ? error.type : undefined;
      this.#policy.refuse(
        error.client,
        { code: LockstepErrorCode.MESSAGE_FAILED, message: "the room could not process this message", ...(type !== undefined ? { type } : {}) },
        true,
      );
    }
    this.reportException(error.cause instanceof Error ? error.cause : error, methodName);
  }

  /**
   * Where this room's uncaught exceptions go (a game handler or hook that threw), after the room
   * has dealt with them: by default the log, with the stack (it is a bug to fix). Override it to
   * send them to an error tracker.
   */
  reportException(error: Error, methodName: RoomMethodName | string): void {
    logger.error(`LockstepRoom ${this.roomName} (${this.roomId}): ${methodName} threw:`, error);
  }

  /** The ready timeout runs while at least `minPlayers` are seated and the match has not started. */
  #armReadyTimer(): void {
    if (this.#phase === "waiting") this.#startTimers?.seated(this.#roster.size);
  }

  #roomInfo(player: LockstepPlayer): RoomInfoMessage {
    const settings = this.settings;
    return {
      you: { uid: player.uid, slot: player.slot },
      phase: this.#phase,
      players: this.#roster.players.map(playerInfo),
      min_players: settings.minPlayers,
      max_players: settings.maxPlayers,
      ...(this.#match !== undefined ? { match: this.#match, last_frame: this.#publisher.lastPublished } : {}),
    };
  }

  /**
   * `room_info`, followed by the latest verified snapshot when the match runs and one exists (for
   * a spectator, only one no newer than its delay allows): a client that can load it steps only
   * the frames after it instead of the whole match.
   */
  #sendRoomInfo(client: Client, info: RoomInfoMessage): void {
    const snapshot = this.#snapshots?.latest;
    const usable = snapshot !== undefined && info.match !== undefined && snapshot.frame <= (info.last_frame ?? Number.NEGATIVE_INFINITY);
    client.send(ControlMessage.ROOM_INFO, usable ? { ...info, snapshot_frame: snapshot.frame } : info);
    if (usable) client.send(ControlMessage.SNAPSHOT, { frame: snapshot.frame, state: snapshot.state });
  }

  #spectatorInfo(uid: string): RoomInfoMessage {
    const settings = this.settings;
    return {
      you: { uid, slot: -1 },
      spectator: true,
      spectator_delay_frames: this.#gallery.delayFrames,
      spectators: this.#gallery.size,
      phase: this.#phase,
      players: this.#roster.players.map(playerInfo),
      min_players: settings.minPlayers,
      max_players: settings.maxPlayers,
      ...(this.#match !== undefined ? { match: this.#match, last_frame: Math.max(this.#match.start_frame - 1, this.#spectatorLimit()) } : {}),
    };
  }

  /** The newest frame spectators may have now. */
  #spectatorLimit(): number {
    return this.#gallery.visibleFrame(this.#publisher.lastPublished);
  }

  /** Moves the match to `phase`, for the room and for its action path. */
  #setPhase(phase: MatchPhase): void {
    this.#phase = phase;
    // A room refused in onCreate may end before its action path exists.
    if (this.#actions !== undefined) this.#actions.phase = phase;
  }

  /** The sender's seat, if its messages may be processed (see `ActionReceiver.seatOf`). */
  #seatOf(client: Client, type?: string): LockstepPlayer | undefined {
    return this.#actions?.seatOf(client, type);
  }

  #onPrepare = (client: Client, message: unknown): void => {
    const player = this.#seatOf(client, ControlMessage.ROOM_PREPARE);
    if (player === undefined) return;
    const ready = (message as { ready?: unknown } | undefined)?.ready ?? true;
    if (typeof ready !== "boolean") {
      this.#policy.refuse(client, { code: LockstepErrorCode.INVALID_REQUEST, type: ControlMessage.ROOM_PREPARE, message: "`ready` must be a boolean" }, true);
      return;
    }
    // Readiness only matters before the start; afterwards the message is accepted and ignored.
    if (this.#phase !== "waiting" || player.ready === ready) return;
    player.ready = ready;
    this.broadcast(ControlMessage.ROOM_PREPARE, { uid: player.uid, slot: player.slot, ready });
    this.#maybeStart();
  };

  #onReloadRequest = (client: Client, message: unknown, reply?: RequestReply): unknown => {
    const guard = this.#policy.guard(client.sessionId);
    const spectator = this.#gallery.has(client.sessionId);
    if ((!spectator && this.#seatOf(client) === undefined) || guard === undefined || !this.#policy.accepts(client.sessionId)) return undefined;
    const queueFull = !this.#outgoing!.canAnswerReload(client);
    // A spectator's delay holds for reloads too: nothing newer than its limit, whatever it asks.
    const newest = spectator ? this.#spectatorLimit() : this.#publisher.lastPublished;
    const answer = this.#reloads.answer(message, guard, performance.now(), newest, queueFull);
    if ("error" in answer) {
      this.#policy.refuse(client, answer.error, answer.strike, reply);
      return undefined;
    }
    // The summary answers `room.request` after the last chunk, on the same socket.
    return this.#outgoing!.sendReload(client, answer.chunker).then((chunks) => (chunks === undefined ? undefined : answer.response(chunks)));
  };

  #newDesyncWatch(settings: LockstepOptions): DesyncWatch {
    return new DesyncWatch(settings, {
      roomId: () => this.roomId,
      roomName: () => this.roomName,
      match: () => this.#match,
      lastClosed: () => this.#publisher.lastPublished,
      connectedPlayers: () => this.#roster.players.filter((player) => player.connected),
      metrics: this.#services.metrics,
      announce: (notice) => {
        logger.warn(
          `lockstep: desync in room ${this.roomId} at frame ${notice.frame}: outliers ${notice.outliers.join(", ")}${notice.parts.length > 0 ? `; parts ${notice.parts.join(", ")}` : ""} (report ${notice.id})`,
        );
        this.broadcast(ControlMessage.DESYNC, notice);
        this.#hooks.run("onDesync", () => this.onDesync?.(notice));
      },
      requestDump: (player, request) => player.client.send(ControlMessage.STATE_DUMP_REQUEST, request),
      finished: (report) => {
        this.#hooks.run("onDesyncReport", () => this.onDesyncReport?.(report));
        const store = this.#services.desyncReports;
        if (store === undefined) return;
        const metrics = this.#services.metrics;
        store.save(report).then(
          () => {
            if (metrics !== undefined) metrics.desyncReportsStored++;
          },
          (error: unknown) => {
            if (metrics !== undefined) metrics.desyncReportsFailed++;
            logger.error(`lockstep: desync report ${report.id} of room ${this.roomId} could not be stored:`, error);
          },
        );
      },
      endMatch: (report) => this.#finish("desync", { desync_report: report.id }),
      agreed: (frame, hash, group) => {
        this.#recorder?.agreed(frame, hash);
        this.#snapshots?.agreed(frame, group, this.#publisher.lastPublished);
      },
    });
  }

  #onChecksum = (client: Client, payload: Uint8Array): void => {
    this.#desyncMessage(client, "sync_checksum", (watch, player) => watch.checksum(player, payload));
  };

  #onSnapshotUpload = (client: Client, payload: Uint8Array): void => {
    this.#desyncMessage(client, "snapshot_upload", (_watch, player) => {
      let chunk: StateDumpChunk;
      try {
        chunk = decodeStateDumpChunk(payload);
      } catch (error) {
        return { code: LockstepErrorCode.SNAPSHOT_INVALID, type: "snapshot_upload", message: (error as Error).message };
      }
      const refusal = this.#snapshots!.receive(player.slot, chunk);
      if (refusal?.code === LockstepErrorCode.SNAPSHOT_INVALID) {
        if (this.#services.metrics !== undefined) this.#services.metrics.snapshotsRefused++;
        logger.warn(`lockstep: snapshot from ${player.uid} in room ${this.roomId} refused: ${refusal.message}`);
      }
      return refusal;
    });
  };

  #onStateDump = (client: Client, payload: Uint8Array): void => {
    this.#desyncMessage(client, "state_dump", (watch, player) => watch.dump(player, payload));
  };

  #desyncMessage(client: Client, type: string, handle: (watch: DesyncWatch, player: LockstepPlayer) => LockstepErrorMessage | undefined): void {
    const player = this.#seatOf(client, type);
    if (player === undefined) return;
    if (this.#phase !== "running") {
      this.#policy.refuse(client, { code: LockstepErrorCode.MATCH_NOT_RUNNING, type, message: `the match is ${this.#phase}` }, false);
      return;
    }
    const refusal = handle(this.#desync!, player);
    if (refusal === undefined) return;
    this.#services.metrics?.refused(refusal.code);
    this.#policy.refuse(client, refusal, true);
  }
}

/** Join options asking to watch rather than play: `{ spectate: true }` (what `LockstepClient.spectate` sends). */
function wantsToSpectate(options: unknown): boolean {
  return typeof options === "object" && options !== null && (options as { spectate?: unknown }).spectate === true;
}
