import { logger } from "@colyseus/core";
import type { MatchJournal } from "../scaling/match-journal.ts";

/**
 * Sends closed frames to the clients in order. Without a journal a frame goes out at once;
 * with one (matches that survive their process) it goes out only after it is stored, so a
 * match resumed elsewhere never contradicts a frame a client has seen.
 */
export class FramePublisher {
  readonly #broadcast: (bytes: Uint8Array) => void;
  #journal: MatchJournal | undefined;
  #lastPublished: number;
  #tail: Promise<void> = Promise.resolve();

  constructor(broadcast: (bytes: Uint8Array) => void, lastPublished: number) {
    this.#broadcast = broadcast;
    this.#lastPublished = lastPublished;
  }

  /** Persists frames through `journal` from now on. */
  attach(journal: MatchJournal): void {
    this.#journal = journal;
  }

  get journal(): MatchJournal | undefined {
    return this.#journal;
  }

  /** The last frame sent to clients: reloads never go past it. */
  get lastPublished(): number {
    return this.#lastPublished;
  }

  /** Sends (after storing, with a journal) frame `frame` whose bytes are `stored`. */
  publish(frame: number, stored: Uint8Array): void {
    const journal = this.#journal;
    if (journal === undefined) {
      this.#send(frame, stored);
      return;
    }
    const durable = journal.append(stored);
    this.#tail = this.#tail
      .then(() => durable)
      .catch((error: unknown) => {
        // Better a live match that might not resume exactly than a frozen one.
        logger.error(`lockstep: frame ${frame} of ${journal.roomId} was not stored; sending it anyway:`, error);
      })
      .then(() => this.#send(frame, stored));
  }

  /** Resolves when every frame published so far has been sent. */
  settled(): Promise<void> {
    return this.#tail;
  }

  #send(frame: number, stored: Uint8Array): void {
    this.#lastPublished = frame;
    this.#broadcast(stored);
  }
}
