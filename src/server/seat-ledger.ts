import { randomUUID } from "node:crypto";
import { logger, type MatchMakerDriver, type Presence } from "@colyseus/core";
import type { SeatRegistry } from "../lockstep/seat-registry.ts";

/** Presence key of an account's seats: one hash per account, shared by every process. */
const seatsKey = (uid: string): string => `lockstep:seats:${uid}`;
/** Field prefix of a matchmaking request that has not taken its seat yet. */
const PENDING = "pending:";
/**
 * How long a matchmaking request counts against its account before its seat is taken:
 * Colyseus's seat reservation lives 15 s by default; a little more covers the join itself.
 */
export const PENDING_SEAT_MS = 20_000;

/** What the ledger needs of Colyseus's matchmaker: shared presence, and the room listings to tell a live seat from a dead process's leftover. */
export interface LedgerBackends {
  readonly presence: Presence;
  readonly driver: MatchMakerDriver;
}

/**
 * The seats every account holds, across every process (in Colyseus's presence: a hash per
 * account, field = room id or a pending request), and the rooms of this process.
 *
 * Counting is self-healing: a process that died leaves fields behind, so when an account
 * looks full its fields are checked against the live room listings and stale ones removed.
 * Requests that run at the very same moment can each see room for one more match: the
 * per-account matchmaking rate bounds that overshoot.
 */
export class SeatLedger implements SeatRegistry {
  readonly #backends: () => LedgerBackends;
  readonly #maxRooms: number;
  readonly #rooms = new Set<string>();

  /** `backends` is read at each use: Colyseus's presence and driver exist once the server is set up. */
  constructor(backends: () => LedgerBackends, maxRooms: number) {
    this.#backends = backends;
    this.#maxRooms = maxRooms;
  }

  /** Rooms of this process. */
  get rooms(): number {
    return this.#rooms.size;
  }

  roomOpened(roomId: string, mandatory: boolean): string | undefined {
    if (!mandatory && this.#rooms.size >= this.#maxRooms) return `this server already runs ${this.#maxRooms} rooms (its limit): try again later`;
    this.#rooms.add(roomId);
    return undefined;
  }

  roomClosed(roomId: string): void {
    this.#rooms.delete(roomId);
  }

  seated(uid: string, roomId: string): void {
    this.#write(uid, async (presence) => {
      await presence.hset(seatsKey(uid), roomId, String(Date.now()));
      await this.#dropOnePending(presence, uid);
    });
  }

  released(uid: string, roomId: string): void {
    this.#write(uid, (presence) => presence.hdel(seatsKey(uid), roomId));
  }

  /**
   * Counts the matches `uid` holds or is joining and, if that is under `limit`, records one more
   * pending request (it becomes a seat on join, or expires). Returns false when the account is full.
   */
  async reserve(uid: string, limit: number): Promise<boolean> {
    const { presence } = this.#backends();
    const key = seatsKey(uid);
    if ((await presence.hlen(key)) >= limit && (await this.#prune(uid)) >= limit) return false;
    await presence.hset(key, PENDING + randomUUID(), String(Date.now() + PENDING_SEAT_MS));
    return true;
  }

  /** Removes expired requests and seats in rooms that no longer exist; returns what is left. */
  async #prune(uid: string): Promise<number> {
    const { presence, driver } = this.#backends();
    const key = seatsKey(uid);
    const fields = await presence.hgetall(key);
    let live = 0;
    for (const [field, value] of Object.entries(fields ?? {})) {
      const stale = field.startsWith(PENDING) ? Number(value) < Date.now() : (await driver.findOne({ roomId: field })) == null;
      if (stale) await presence.hdel(key, field);
      else live++;
    }
    return live;
  }

  /** The request that led to a seat is done: forget the oldest pending one of the account. */
  async #dropOnePending(presence: Presence, uid: string): Promise<void> {
    const fields = await presence.hgetall(seatsKey(uid));
    const pending = Object.entries(fields ?? {})
      .filter(([field]) => field.startsWith(PENDING))
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    if (pending[0] !== undefined) await presence.hdel(seatsKey(uid), pending[0][0]);
  }

  /** Seat bookkeeping never blocks a room or throws into it: a failure is logged, and pruning corrects the count later. */
  #write(uid: string, write: (presence: Presence) => Promise<unknown>): void {
    write(this.#backends().presence).catch((error: unknown) => logger.error(`lockstep: could not record the seats of ${uid}:`, error));
  }
}
