import {
  ReplayErrorCode,
  ReplayFormatError,
  frameNumberOf,
  type ReplayDocument,
  type ReplayParticipant,
  type ReplaySnapshot,
  type StateHash,
} from "../../src/protocol/index.ts";
import { startTicking, type GameLoop, type RunHandle, type RunOptions } from "./fixed-step-runner.ts";
import type { MatchFeed } from "./match-feed.ts";
import { ReplayClock } from "./replay-clock.ts";
import { RecordedChecksums, type ReplayMismatch } from "./replay-checksums.ts";
import { ReplayRoster } from "./replay-roster.ts";
import { Signal } from "./signal.ts";
import { ClientErrorCode, LockstepClientError, type LockstepFrame, type MatchEnd, type MatchInfo } from "./types.ts";

/** Calls `tick(now)` regularly until the returned function is called (`startTicking` by default). */
export type ReplayTicker = (tick: (now: number) => void, periodMs: number) => () => void;

/** Options of {@link ReplayPlayer}. */
export interface ReplayPlayerOptions {
  /** `"animation-frame"` (browser default) or `"timer"` (Node default). */
  readonly clock?: "animation-frame" | "timer";
  /** What drives playback instead of `clock`: a ticker of your own (a game engine's loop, or a test's manual clock). */
  readonly ticker?: ReplayTicker;
}

/** A snapshot handed to the game through `onStart`'s `info.snapshot`, waiting for `run`'s `load`. */
interface SnapshotStart {
  readonly frame: number;
  readonly state: unknown;
}

/** The game loop attached by `run`. */
interface AttachedRun<TAction> {
  readonly loop: GameLoop<TAction>;
  readonly hash: (() => StateHash) | undefined;
  lastStepped: number | undefined;
}

/**
 * Plays a recorded match through the callbacks of a live `LockstepMatch`, so the game code that
 * runs a live match runs its replay unchanged: `onStart(info)` → build the state and `run()`,
 * then `step` per frame. Usually made by `loadReplay`.
 *
 * - **Start**: nothing happens until the first {@link play} or {@link seek}, which fires
 *   `onStart(info)` to the listeners added so far (a listener added later does not get a past
 *   start, as in a live match).
 * - **Playback**: frames are stepped at `frameRate × speed` on the player's own clock; each goes
 *   to the `onFrame` listeners, then to the attached loop's `step`. `render(alpha)` is called on
 *   every tick while playing.
 * - **End**: once the last frame is stepped, `onEnd(end)` fires (once per pass) and playback
 *   pauses; `play()` then starts a new pass from the beginning.
 * - **Seek**: backwards re-simulates: the attached loop is detached, `onStart` fires again (the
 *   game rebuilds its state and calls `run()` again), and frames are stepped up to the target.
 *   It restarts from the nearest verified snapshot before the target when the replay has one
 *   and the game's `run` takes a `load` option, exactly as a live match joined late starts:
 *   `info.snapshot` is set, and `run` calls `load(state)` before any step; else from the seed.
 *   Forward steps up to the target, or restarts from a snapshot if one lies between. Frames
 *   stepped by a seek reach `onFrame` and `step` too, without rendering in between; `render(0)`
 *   is called once at the end.
 * - **Verification**: with `run(loop, { hash })`, the state's hash after each frame the match
 *   recorded a checksum for (and right after a snapshot is loaded) is compared with it; a
 *   difference goes to `onMismatch`.
 *
 * @typeParam TAction - the game's action type.
 */
export class ReplayPlayer<TAction = unknown> implements MatchFeed<TAction> {
  readonly #document: ReplayDocument;
  readonly #info: MatchInfo;
  readonly #end: MatchEnd;
  readonly #roster: ReplayRoster;
  readonly #checksums: RecordedChecksums;
  readonly #clock: ReplayClock;
  readonly #ticker: ReplayTicker;
  readonly #first: number;
  readonly #last: number;
  readonly #snapshots: readonly ReplaySnapshot[];

  #frame: number;
  #started = false;
  #playing = false;
  #closed = false;
  #verified = 0;
  #run: AttachedRun<TAction> | undefined;
  /** The snapshot this pass starts from, until `run` loads it. */
  #snapshotToLoad: SnapshotStart | undefined;
  /** Whether the game's `run` takes snapshots (`load`): unknown until it is first called. */
  #loads: boolean | undefined;
  /** The frame this pass started after (`firstFrame - 1`, or a snapshot's frame). */
  #passStart: number;
  /** Bumped by `pause`: a `play` whose start listener paused stays paused. */
  #pauses = 0;
  #stopTicker: (() => void) | undefined;
  /** Bumped by every seek, new pass and close: a stepping loop that sees it change stops, as someone else moved the playhead. */
  #generation = 0;

  readonly #start = new Signal<MatchInfo>();
  readonly #frameSignal = new Signal<LockstepFrame<TAction>>();
  readonly #endSignal = new Signal<MatchEnd>();
  readonly #mismatch = new Signal<ReplayMismatch>();
  readonly #error = new Signal<LockstepClientError>();

  /**
   * @param document - a decoded replay (`readReplayDocument`).
   * @throws ReplayFormatError (`INVALID`) if its frames are not numbered `start_frame`, `start_frame + 1`, …
   */
  constructor(document: ReplayDocument, options: ReplayPlayerOptions = {}) {
    checkFrameNumbers(document);
    this.#document = document;
    this.#first = document.start_frame;
    this.#last = document.last_frame;
    this.#frame = this.#first - 1;
    this.#passStart = this.#frame;
    this.#snapshots = document.snapshots ?? [];
    this.#info = {
      players: document.players,
      seed: document.seed,
      frameRate: document.frame_rate,
      startFrame: document.start_frame,
      checksumInterval: document.checksum_interval,
    };
    this.#end = { reason: document.end_reason, result: document.result, lastFrame: document.last_frame, replayId: document.id };
    this.#roster = new ReplayRoster(document.participants, document.players);
    this.#checksums = new RecordedChecksums(document.checksums);
    this.#clock = new ReplayClock(document.frame_rate);
    const clock = options.clock;
    this.#ticker = options.ticker ?? ((tick, periodMs) => startTicking(tick, clock, periodMs));
  }

  /** The replay is (re)started: build the game state from `info` and call {@link run}. See the class notes for when it fires. */
  onStart(listener: (info: MatchInfo) => void): () => void {
    return this.#start.add(listener);
  }
  /** The next frame, in order, whether stepped by playback or by a seek. */
  onFrame(listener: (frame: LockstepFrame<TAction>) => void): () => void {
    return this.#frameSignal.add(listener);
  }
  /** The last frame was stepped: fired once per pass, after which playback is paused. */
  onEnd(listener: (end: MatchEnd) => void): () => void {
    return this.#endSignal.add(listener);
  }
  /** A recorded checksum was not reproduced: this build no longer replays the match as it was played. */
  onMismatch(listener: (mismatch: ReplayMismatch) => void): () => void {
    return this.#mismatch.add(listener);
  }
  /** A frame could not be decoded (`PROTOCOL_ERROR`, `details.frame`): playback pauses before it. */
  onError(listener: (error: LockstepClientError) => void): () => void {
    return this.#error.add(listener);
  }

  /** The decoded document (read-only), for tools and tests. */
  get document(): ReplayDocument {
    return this.#document;
  }
  /** The match as `match_start` announced it. */
  get info(): MatchInfo {
    return this.#info;
  }
  /** How the match ended. */
  get end(): MatchEnd {
    return this.#end;
  }
  /** Everyone who held a seat, with the frames they joined and left at. */
  get participants(): readonly ReplayParticipant[] {
    return this.#document.participants;
  }
  /** The first frame of the match. */
  get firstFrame(): number {
    return this.#first;
  }
  /** The last frame of the match (`firstFrame - 1` if it closed none). */
  get lastFrame(): number {
    return this.#last;
  }
  /** The last frame stepped in this pass (`firstFrame - 1` before any). */
  get frame(): number {
    return this.#frame;
  }
  /** True while frames step on the clock. */
  get playing(): boolean {
    return this.#playing;
  }
  /** The frame this pass started after: `firstFrame - 1` from the seed, or the frame of the snapshot it started from. */
  get startedFrom(): number {
    return this.#passStart;
  }
  /** Recorded checksums reproduced in this pass (counted only while a loop with `hash` is attached). */
  get verifiedFrames(): number {
    return this.#verified;
  }
  /** Playback speed, 0.25 to 16 (default 1); anything else throws a `RangeError`. */
  get speed(): number {
    return this.#clock.speed;
  }
  set speed(speed: number) {
    this.#clock.speed = speed;
  }

  /** Starts or resumes playback; starts the replay first (`onStart`), or a new pass if the last one ended. */
  play(): void {
    this.#assertOpen();
    if (this.#playing) return;
    const pauses = this.#pauses;
    // A start listener may have played, paused, seeked or closed already: that stands.
    if ((!this.#started || this.#frame >= this.#last) && !this.#beginPass()) return;
    if (this.#playing || this.#pauses !== pauses) return;
    if (this.#frame >= this.#last) {
      this.#finishPass(); // a replay without frames ends as soon as it starts
      return;
    }
    this.#playing = true;
    this.#clock.reset();
    this.#stopTicker = this.#ticker((now) => this.#tick(now), 1000 / this.#info.frameRate);
  }

  /** Pauses playback (the attached loop stays attached). */
  pause(): void {
    this.#pauses++;
    this.#playing = false;
    this.#stopTicker?.();
    this.#stopTicker = undefined;
  }

  /**
   * Moves to `target` (clamped to `firstFrame - 1` … `lastFrame`), stepping synchronously (see
   * the class notes); playing or paused stays as it was, unless the last frame is reached.
   * Starts the replay (`onStart`) if it was not started.
   */
  seek(target: number): void {
    this.#assertOpen();
    if (!Number.isSafeInteger(target)) throw new RangeError(`a frame number is an integer, got ${target}`);
    const to = Math.min(this.#last, Math.max(this.#first - 1, target));
    const snapshot = this.#snapshotBefore(to);
    const restart = !this.#started || to < this.#frame || (snapshot !== undefined && snapshot.frame > this.#frame);
    if (restart && !this.#beginPass(snapshot)) return;
    const generation = ++this.#generation;
    while (this.#frame < to && this.#stepNext(generation));
    if (generation !== this.#generation) return;
    this.#clock.reset();
    this.#run?.loop.render?.(0);
  }

  /**
   * Attaches the game loop (call it from `onStart`, as with a live match): `step` for every
   * frame from here on, `render(alpha)` on every tick while playing. Replaces any loop attached
   * before: one loop runs at a time. Of the options `hash` applies (checked against the recorded
   * checksums) and `load` (called with the snapshot's state when the pass starts from one, see
   * `info.snapshot`; without it seeks re-simulate from the seed); `save`, `dump`, `clock` and the
   * live pacing options mean nothing in a replay.
   * The handle's `queued` is the number of frames left to step (0 once the loop is replaced).
   */
  run(loop: GameLoop<TAction>, options: RunOptions = {}): RunHandle {
    this.#assertOpen();
    if (!this.#started) throw new Error("run() needs the replay to have started: call it from onStart");
    const attached: AttachedRun<TAction> = { loop, hash: options.hash, lastStepped: undefined };
    this.#run = attached;
    this.#loads = options.load !== undefined;
    const snapshot = this.#snapshotToLoad;
    if (snapshot !== undefined && options.load !== undefined) {
      this.#snapshotToLoad = undefined;
      options.load(snapshot.state);
      if (options.hash !== undefined && this.#checksums.has(snapshot.frame)) this.#verify(snapshot.frame, options.hash());
    }
    const player = this; // the handle's getters are not arrow functions
    return {
      stop() {
        if (player.#run === attached) player.#run = undefined;
      },
      get queued() {
        return player.#run === attached ? player.#last - player.#frame : 0;
      },
      get lastStepped() {
        return attached.lastStepped;
      },
    };
  }

  /** Stops playback and timers for good and detaches the loop; `play`, `seek` and `run` throw afterwards. */
  close(): void {
    this.pause();
    this.#closed = true;
    this.#generation++;
    this.#run = undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the replay player is closed");
  }

  /**
   * Back to before the first frame (or to `snapshot`'s frame), with no loop attached, and
   * `onStart` to rebuild the game. A game whose `run` turns out to take no `load` is started
   * again from the seed. False if a start listener moved the playhead or closed the player meanwhile.
   */
  #beginPass(snapshot?: ReplaySnapshot): boolean {
    const generation = ++this.#generation;
    const start = snapshot === undefined ? undefined : this.#parsed(snapshot);
    this.#started = true;
    this.#run = undefined;
    this.#frame = start?.frame ?? this.#first - 1;
    this.#passStart = this.#frame;
    this.#verified = 0;
    this.#clock.reset();
    this.#snapshotToLoad = start;
    this.#start.emit(start === undefined ? this.#info : { ...this.#info, snapshot: start });
    if (generation !== this.#generation) return false;
    if (this.#snapshotToLoad === undefined) return true;
    // The game's run() took no snapshot (no `load`, or no run() at all): start it from the seed.
    this.#snapshotToLoad = undefined;
    this.#loads = false;
    return this.#beginPass();
  }

  /**
   * A snapshot's state as the game receives it: parsed anew for each start, as the game's `load`
   * may keep and change it. One that is not JSON (the server writes none: a hand-made document)
   * is reported through `onError` and the pass starts from the seed.
   */
  #parsed(snapshot: ReplaySnapshot): SnapshotStart | undefined {
    try {
      return { frame: snapshot.frame, state: JSON.parse(snapshot.state) as unknown };
    } catch (error) {
      const reason = `the snapshot of frame ${snapshot.frame} is not JSON (${(error as Error).message}): starting from the seed`;
      this.#error.emit(new LockstepClientError(ClientErrorCode.PROTOCOL_ERROR, reason, undefined, { frame: snapshot.frame }));
      return undefined;
    }
  }

  /** The latest snapshot before `frame` to restart from, if the game takes snapshots (or has not said yet). */
  #snapshotBefore(frame: number): ReplaySnapshot | undefined {
    if (this.#loads === false) return undefined;
    // Strictly before: at least one frame is stepped, so reaching the last frame ends the pass as playback does.
    return this.#snapshots.findLast((snapshot) => snapshot.frame < frame);
  }

  #finishPass(): void {
    this.pause();
    this.#endSignal.emit(this.#end);
  }

  #tick(now: number): void {
    const generation = this.#generation;
    let due = this.#clock.tick(now);
    while (due-- > 0 && this.#playing && this.#frame < this.#last && this.#stepNext(generation));
    if (generation !== this.#generation || this.#closed) return;
    this.#run?.loop.render?.(this.#playing ? this.#clock.alpha : 0);
  }

  /** Steps the next frame; false if stepping must stop (undecodable frame, or a listener moved the playhead). */
  #stepNext(generation: number): boolean {
    const number = this.#frame + 1;
    let frame: LockstepFrame<TAction>;
    try {
      frame = this.#roster.decode<TAction>(this.#document.frames[number - this.#first]!, number);
    } catch (error) {
      this.pause();
      const reason = `frame ${number} of the replay cannot be decoded: ${(error as Error).message}`;
      this.#error.emit(new LockstepClientError(ClientErrorCode.PROTOCOL_ERROR, reason, undefined, { frame: number }));
      return false;
    }
    this.#frame = number;
    this.#frameSignal.emit(frame);
    if (generation !== this.#generation) return false;
    const run = this.#run;
    if (run !== undefined) {
      run.loop.step(frame);
      run.lastStepped = number;
      if (generation !== this.#generation) return false;
      if (run.hash !== undefined && this.#checksums.has(number)) this.#verify(number, run.hash());
    }
    if (number === this.#last) this.#finishPass();
    return generation === this.#generation;
  }

  #verify(frame: number, hash: StateHash): void {
    const mismatch = this.#checksums.compare(frame, hash);
    if (mismatch === undefined) this.#verified++;
    else this.#mismatch.emit(mismatch);
  }
}

/** A snapshot's state as the game receives it: parsed anew for each start, as the game's `load` may keep and change it. Undefined if it does not parse. */

/** Frames are numbered in order from `start_frame` to `last_frame`; anything else was not written by the server. */
function checkFrameNumbers(document: ReplayDocument): void {
  const expected = document.last_frame - document.start_frame + 1;
  if (document.frames.length !== expected) {
    throw new ReplayFormatError(ReplayErrorCode.INVALID, `not a valid replay: ${document.frames.length} frames where the header says ${expected}`);
  }
  for (let i = 0; i < document.frames.length; i++) {
    let number: number | undefined;
    try {
      number = frameNumberOf(document.frames[i]!);
    } catch {
      number = undefined;
    }
    if (number !== document.start_frame + i) {
      throw new ReplayFormatError(ReplayErrorCode.INVALID, `not a valid replay: frame ${document.start_frame + i} is numbered ${number ?? "(unreadable)"}`);
    }
  }
}
