import type { Client } from "@colyseus/core";

/** A client watching a match without a seat. */
/** Who watches, as the room's `onSpectatorJoin` / `onSpectatorLeave` hooks see it. */
export interface SpectatorIdentity {
  readonly uid: string;
  readonly name: string;
  readonly sessionId: string;
}

/** A spectator and its connection. */
export interface Spectator extends SpectatorIdentity {
  readonly client: Client;
}

/**
 * The spectators of a room: at most `capacity`, each seeing frames `delayFrames` behind the
 * newest. The room sends them the log's copy of each frame once it is that old (the same bytes
 * the players got), after the players' sends.
 */
export class SpectatorGallery {
  readonly capacity: number;
  readonly delayFrames: number;
  readonly #bySession = new Map<string, Spectator>();
  /** The spectators' clients, rebuilt when one comes or goes (not on every frame). */
  #clients: Client[] = [];

  constructor(capacity: number, delayFrames: number) {
    this.capacity = capacity;
    this.delayFrames = delayFrames;
  }

  get size(): number {
    return this.#bySession.size;
  }

  get full(): boolean {
    return this.#bySession.size >= this.capacity;
  }

  /** The spectators' connections, for sending. */
  get clients(): readonly Client[] {
    return this.#clients;
  }

  has(sessionId: string): boolean {
    return this.#bySession.has(sessionId);
  }

  byUid(uid: string): Spectator | undefined {
    for (const spectator of this.#bySession.values()) if (spectator.uid === uid) return spectator;
    return undefined;
  }

  add(spectator: Spectator): void {
    this.#bySession.set(spectator.sessionId, spectator);
    this.#clients = [...this.#bySession.values()].map((entry) => entry.client);
  }

  /** Removes a spectator; undefined if `sessionId` is not one. */
  remove(sessionId: string): Spectator | undefined {
    const spectator = this.#bySession.get(sessionId);
    if (spectator === undefined) return undefined;
    this.#bySession.delete(sessionId);
    this.#clients = this.#clients.filter((client) => client.sessionId !== sessionId);
    return spectator;
  }

  /** The newest frame a spectator may have when `lastPublished` is the newest frame sent to the players. */
  visibleFrame(lastPublished: number): number {
    return lastPublished - this.delayFrames;
  }
}
