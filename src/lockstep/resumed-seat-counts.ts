import { matchMaker, type IRoomCache } from "@colyseus/core";

/**
 * Keeps Colyseus's counts right for the seats of a resumed match.
 *
 * Colyseus counts a player in when it joins (the listing's `clients`, the process's `ccu` in
 * presence) and out when its seat is finally given up; a dropped player whose seat is held
 * still counts. The seats of a resumed match were taken on another process, so this process
 * never counted them in, yet Colyseus counts each of them out when that player leaves: left
 * alone, the counts of the process that took a match over go below zero. This counts the held
 * seats in once the room is listed, and counts out a seat given up without its player coming
 * back (Colyseus does that itself for a player that did come back).
 *
 * The listing to update is the one `matchMaker.handleCreateRoom` returns for a room created on
 * this process: the room's own listing object, which Colyseus re-serializes on every update
 * (so an increment made here is kept by Colyseus's later updates of the same room).
 */
export class ResumedSeatCounts {
  readonly #held: Set<string>;
  #listing: IRoomCache | undefined;

  /** `listed` resolves with the resumed room's listing once Colyseus wrote it. */
  constructor(sessionIds: readonly string[], listed: Promise<IRoomCache>) {
    this.#held = new Set(sessionIds);
    listed.then(
      (listing) => {
        this.#listing = listing;
        this.#count(this.#held.size, true);
      },
      () => this.#held.clear(),
    );
  }

  /** The player took the seat back: from now on Colyseus counts it as any reconnected client. */
  reconnected(sessionId: string): void {
    this.#held.delete(sessionId);
  }

  /** The seat's reconnection window expired while the room runs: the player is gone. */
  expired(sessionId: string): void {
    if (this.#held.delete(sessionId) && this.#listing !== undefined) this.#count(-1, true);
  }

  /** The room is closing with the seat still held: the player leaves the process's count (the listing goes away with the room). */
  released(sessionId: string): void {
    if (this.#held.delete(sessionId) && this.#listing !== undefined) this.#count(-1, false);
  }

  #count(delta: number, listing: boolean): void {
    if (delta === 0) return;
    // A failed update leaves the listing's count as it was; Colyseus's next update of the room rewrites it whole.
    if (listing) void Promise.resolve(matchMaker.driver.update(this.#listing!, { $inc: { clients: delta } })).catch(() => undefined);
    matchMaker.stats.local.ccu += delta;
    void Promise.resolve(matchMaker.stats.persist()).catch(() => undefined);
  }
}
