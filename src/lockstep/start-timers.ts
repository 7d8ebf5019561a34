/** The settings the start timers follow. */
interface StartTimerSettings {
  readonly readyTimeoutMs: number;
  readonly minPlayers: number;
  readonly waitingTimeoutSeconds: number;
}

/**
 * The two clocks of a match that has not started: the ready timeout (the match starts anyway
 * `readyTimeoutMs` after `minPlayers` are seated, if not everyone said ready) and the waiting
 * timeout (a room whose match never starts is reclaimed after `waitingTimeoutSeconds`). A
 * setting of 0 turns its timer off.
 */
export class StartTimers {
  readonly #settings: StartTimerSettings;
  readonly #start: () => void;
  readonly #reclaim: () => void;
  #ready: NodeJS.Timeout | undefined;
  #waiting: NodeJS.Timeout | undefined;

  /** `start` starts the match; `reclaim` closes the room. */
  constructor(settings: StartTimerSettings, start: () => void, reclaim: () => void) {
    this.#settings = settings;
    this.#start = start;
    this.#reclaim = reclaim;
  }

  /** The room is open and waiting for its players. */
  armWaiting(): void {
    const seconds = this.#settings.waitingTimeoutSeconds;
    if (seconds === 0) return;
    this.#waiting = setTimeout(this.#reclaim, seconds * 1000);
    this.#waiting.unref();
  }

  /** The roster changed before the start: the ready timeout runs while at least `minPlayers` are seated. */
  seated(count: number): void {
    if (this.#settings.readyTimeoutMs === 0) return;
    if (count < this.#settings.minPlayers) {
      clearTimeout(this.#ready);
      this.#ready = undefined;
    } else if (this.#ready === undefined) {
      this.#ready = setTimeout(this.#start, this.#settings.readyTimeoutMs);
    }
  }

  /** The match started, ended or the room closed. */
  clear(): void {
    clearTimeout(this.#ready);
    clearTimeout(this.#waiting);
    this.#ready = undefined;
    this.#waiting = undefined;
  }
}
