import type { ReplayMismatch, ReplayPlayer } from "colyseus-lockstep-client";
import type { ArenaAction } from "../arena-room.ts";
import type { ArenaBoard } from "./arena-board.ts";
import { ArenaGame } from "./arena-game.ts";
import { downloadReplayWhenReady } from "./replay-download.ts";
import type { ElementLookup } from "./sync-panel.ts";

/** The speeds offered, from a quarter of real time to the player's fastest (`MAX_REPLAY_SPEED`). */
export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
/** What the verdict says when the replay ends where the live match did. */
export const SAME_FINAL_STATE = "same final state as the live match";

/** What the page's automation reads of the replay. */
export interface ReplayView {
  /** The last frame stepped (`firstFrame - 1` before any). */
  readonly frame: number;
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** The replayed state's hash (undefined before the replay starts). */
  readonly hash: string | undefined;
  readonly playing: boolean;
  /** True from the end of a pass until the replay restarts. */
  readonly ended: boolean;
  readonly speed: number;
  /** How many times the game was rebuilt (from the seed or a snapshot): the first start, and once per seek that restarts or new pass. */
  readonly starts: number;
  /** The frame the current pass started after: `firstFrame - 1` from the seed, or the snapshot's frame it loaded. */
  readonly startedFrom: number;
  /** Recorded checksums reproduced in this pass. */
  readonly verifiedFrames: number;
  /** Recorded checksums this build did not reproduce in this pass. */
  readonly mismatches: number;
}

/**
 * The replay section of the page (`#replay`): downloads a finished match's replay, plays it on
 * the board through the same {@link ArenaGame} the live match used, and offers play/pause,
 * speed and a seek slider. When a pass ends it compares the final state's hash with the live
 * match's. The controls act on whichever replay is open; before one is, they are disabled.
 */
export class ReplayPanel {
  readonly #element: ElementLookup;
  readonly #board: ArenaBoard;
  readonly #play: HTMLButtonElement;
  readonly #speed: HTMLSelectElement;
  readonly #seek: HTMLInputElement;
  #player: ReplayPlayer<ArenaAction> | undefined;
  /** Where the open replay was downloaded from: opening another one replaces it. */
  #url: string | undefined;
  #game: ArenaGame | undefined;
  #liveFinalHash: string | undefined;
  #ended = false;
  #starts = 0;
  #mismatches: ReplayMismatch[] = [];
  /** Why playback stopped on an undecodable frame; it stays on the status line. */
  #failure: string | undefined;
  /** The frame the readouts show, so a render without a new frame writes nothing. */
  #shownFrame: number | undefined;

  constructor(element: ElementLookup, board: ArenaBoard) {
    this.#element = element;
    this.#board = board;
    this.#play = element("replay-play") as HTMLButtonElement;
    this.#speed = element("replay-speed") as HTMLSelectElement;
    this.#seek = element("replay-seek") as HTMLInputElement;
    this.#speed.replaceChildren(
      ...REPLAY_SPEEDS.map((speed) => {
        const option = document.createElement("option");
        option.value = String(speed);
        option.textContent = `${speed}×`;
        option.selected = speed === 1;
        return option;
      }),
    );
    this.#play.addEventListener("click", () => this.togglePlay());
    this.#speed.addEventListener("change", () => this.setSpeed(Number(this.#speed.value)));
    this.#seek.addEventListener("input", () => this.seek(Number(this.#seek.value)));
  }

  /** The open replay's state, or undefined while none is open. */
  get view(): ReplayView | undefined {
    const player = this.#player;
    if (player === undefined) return undefined;
    return {
      frame: player.frame,
      firstFrame: player.firstFrame,
      lastFrame: player.lastFrame,
      hash: this.#game?.hash,
      playing: player.playing,
      ended: this.#ended,
      speed: player.speed,
      starts: this.#starts,
      startedFrom: player.startedFrom,
      verifiedFrames: player.verifiedFrames,
      mismatches: this.#mismatches.length,
    };
  }

  /**
   * Downloads the replay at `url` (waiting while the server is still writing it), shows it on
   * the board at its start, paused, and enables the controls. `liveFinalHash` is what the end
   * of the replay is compared with. Resolves false, with the reason shown, if it cannot be loaded.
   */
  async open(url: string, token: string | undefined, liveFinalHash: string | undefined): Promise<boolean> {
    if (this.#player !== undefined && this.#url === url) return true;
    this.close();
    this.#url = url;
    this.#liveFinalHash = liveFinalHash;
    this.#element("replay").hidden = false;
    this.#status("preparing replay…", false);
    let player: ReplayPlayer<ArenaAction>;
    try {
      player = await downloadReplayWhenReady<ArenaAction>(url, token);
    } catch (error) {
      // A download the panel was closed or moved on from says nothing over what is shown now.
      if (this.#url === url) this.#status(`could not load the replay: ${(error as Error).message}`, true);
      return false;
    }
    // Closed or replaced by another open() during the download.
    if (this.#url !== url || this.#player !== undefined) {
      player.close();
      return false;
    }
    this.#player = player;
    this.#listen(player);
    this.#seek.min = String(player.firstFrame - 1);
    this.#seek.max = String(player.lastFrame);
    for (const control of [this.#play, this.#speed, this.#seek]) control.disabled = false;
    // Starts the replay without playing it, so the board shows the match's first state at once.
    player.seek(player.firstFrame - 1);
    this.#refresh();
    return true;
  }

  /** Stops and forgets the open replay (a new match is on the board), and hides the section. */
  close(): void {
    this.#player?.close();
    this.#player = undefined;
    this.#url = undefined;
    this.#game = undefined;
    this.#liveFinalHash = undefined;
    this.#ended = false;
    this.#starts = 0;
    this.#mismatches = [];
    this.#failure = undefined;
    this.#shownFrame = undefined;
    for (const control of [this.#play, this.#speed, this.#seek]) control.disabled = true;
    this.#element("replay").hidden = true;
  }

  /** Plays, or pauses while playing (a pass that ended plays again from the start). */
  togglePlay(): void {
    const player = this.#player;
    if (player === undefined) return;
    if (player.playing) player.pause();
    else player.play();
    this.#refresh();
  }

  /** Sets the playback speed (one of {@link REPLAY_SPEEDS}, or anything from 0.25 to 16; else a `RangeError`). */
  setSpeed(speed: number): void {
    if (this.#player === undefined) return;
    this.#player.speed = speed;
    this.#speed.value = String(speed);
    this.#refresh();
  }

  /** Moves to `frame` (clamped to the replay); before the current frame the game is rebuilt and re-simulated. */
  seek(frame: number): void {
    this.#player?.seek(Math.round(frame));
    this.#refresh();
  }

  #listen(player: ReplayPlayer<ArenaAction>): void {
    player.onStart((info) => {
      this.#starts++;
      this.#ended = false;
      this.#mismatches = [];
      this.#shownFrame = undefined;
      this.#show("replay-final-hash", "–");
      this.#verdict("–", false);
      const game = new ArenaGame(info, this.#board, { afterRender: () => this.#refresh() });
      this.#game = game;
      player.run(game.loop, game.checks);
    });
    player.onEnd(() => {
      this.#ended = true;
      const finalHash = this.#game!.hash;
      this.#show("replay-final-hash", finalHash);
      if (this.#liveFinalHash === undefined) this.#verdict("no live final state to compare with", true);
      else if (finalHash === this.#liveFinalHash) this.#verdict(SAME_FINAL_STATE, false);
      else this.#verdict(`⚠ differs from the live match's final state (${this.#liveFinalHash})`, true);
      this.#refresh();
    });
    player.onMismatch((mismatch) => {
      this.#mismatches.push(mismatch);
      this.#shownFrame = undefined;
    });
    player.onError((error) => {
      this.#failure = error.message;
      this.#refresh();
    });
  }

  /** Brings the readouts and controls up to date; cheap when the frame has not changed (it runs on every render). */
  #refresh(): void {
    const player = this.#player;
    if (player === undefined) return;
    this.#play.textContent = player.playing ? "Pause" : this.#ended ? "Play again" : "Play";
    if (this.#failure !== undefined) this.#status(this.#failure, true);
    else this.#status(this.#ended ? "replay over" : player.playing ? `playing at ${player.speed}×` : "paused", false);
    if (player.frame === this.#shownFrame) return;
    this.#shownFrame = player.frame;
    this.#show("replay-frame", `frame ${player.frame} / ${player.lastFrame}`);
    this.#show("replay-hash", this.#game?.hash ?? "–");
    this.#seek.value = String(player.frame);
    const mismatch = this.#mismatches[0];
    this.#show(
      "replay-checks",
      mismatch === undefined
        ? `${player.verifiedFrames} recorded checksums reproduced`
        : `⚠ ${this.#mismatches.length} recorded checksums not reproduced, the first at frame ${mismatch.frame}`,
    );
  }

  #show(id: string, text: string): void {
    const target = this.#element(id);
    if (target.textContent !== text) target.textContent = text;
  }

  #status(text: string, warning: boolean): void {
    this.#show("replay-status", text);
    this.#element("replay-status").classList.toggle("warning", warning);
  }

  #verdict(text: string, warning: boolean): void {
    this.#show("replay-verdict", text);
    this.#element("replay-verdict").classList.toggle("warning", warning);
  }
}
