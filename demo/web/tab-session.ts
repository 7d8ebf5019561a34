/** The seat a tab holds in a room: enough to take it back after a reload. */
export interface HeldSeat {
  readonly roomId: string;
  readonly reconnectionToken: string;
}

const TOKEN_KEY = "lockstep-demo-token";
const SEAT_KEY = "lockstep-demo-seat";

/**
 * What one browser tab keeps across its reloads: its login and the seat it holds. Kept in
 * `sessionStorage`, which each tab has to itself, so every tab is its own player (two tabs of
 * one browser are two players, as two browsers would be).
 */
export class TabSession {
  readonly #storage: Storage;

  constructor(storage: Storage = sessionStorage) {
    this.#storage = storage;
  }

  get token(): string | undefined {
    return this.#storage.getItem(TOKEN_KEY) ?? undefined;
  }

  set token(token: string | undefined) {
    if (token === undefined) this.#storage.removeItem(TOKEN_KEY);
    else this.#storage.setItem(TOKEN_KEY, token);
  }

  /** The seat to take back after a reload, if this tab was in a match. */
  get seat(): HeldSeat | undefined {
    const text = this.#storage.getItem(SEAT_KEY);
    if (text === null) return undefined;
    try {
      const seat = JSON.parse(text) as Partial<HeldSeat>;
      if (typeof seat.roomId === "string" && typeof seat.reconnectionToken === "string")
        return { roomId: seat.roomId, reconnectionToken: seat.reconnectionToken };
    } catch {
      // A damaged entry is forgotten below.
    }
    this.#storage.removeItem(SEAT_KEY);
    return undefined;
  }

  set seat(seat: HeldSeat | undefined) {
    if (seat === undefined) this.#storage.removeItem(SEAT_KEY);
    else this.#storage.setItem(SEAT_KEY, JSON.stringify(seat));
  }
}
