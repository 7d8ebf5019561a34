import type { MatchStartMessage } from "../protocol/messages.ts";

/** A seat as persisted: enough to let the same session reconnect to a resumed room. */
export interface PersistedSeat {
  readonly sessionId: string;
  /** The Colyseus reconnection token the client holds (without the `roomId:` prefix). */
  readonly reconnectionToken: string;
  readonly uid: string;
  readonly name: string;
  readonly role: string;
  readonly slot: number;
  /** The verified auth data (token claims) the seat was taken with. */
  readonly auth: unknown;
}

/** Where a persisted match stands. `handover`: its process is stopping gracefully and wants it resumed elsewhere. */
export type PersistedStatus = "running" | "handover";

/** A running match as persisted, next to its frames. */
export interface PersistedMatch {
  readonly roomId: string;
  readonly roomName: string;
  readonly match: MatchStartMessage;
  readonly seats: readonly PersistedSeat[];
  readonly status: PersistedStatus;
}

/** A persisted match and its frames (exact bytes, in order from `match.start_frame`). */
export interface StoredMatch {
  readonly match: PersistedMatch;
  readonly frames: readonly Uint8Array[];
}

/**
 * Durable storage of running matches, so a match outlives its process. Frames are
 * append-only; a lease says which process owns a match; a claim lets exactly one process
 * resume an orphaned one. Implementations: `RedisMatchStore` (shared by every process) and
 * `MemoryMatchStore` (one process; tests); `test/contract/match-store.contract.ts` runs over both.
 */
export interface MatchStore {
  /** Writes the match's description and lists it as active. */
  saveMatch(match: PersistedMatch): Promise<void>;
  /** Appends the next frame. Appends of one match resolve in the order they were made. */
  appendFrame(roomId: string, bytes: Uint8Array): Promise<void>;
  loadMatch(roomId: string): Promise<StoredMatch | undefined>;
  /** Sets or extends the owner's lease for `ttlMs`. */
  renewLease(roomId: string, processId: string, ttlMs: number): Promise<void>;
  releaseLease(roomId: string): Promise<void>;
  /** The lease holder's process id, if the lease is alive. */
  leaseHolder(roomId: string): Promise<string | undefined>;
  /** Ids of active (running or handed over) matches. */
  activeMatches(): Promise<string[]>;
  /** Takes the right to resume an orphaned match for `ttlMs`; true for exactly one caller. */
  claim(roomId: string, processId: string, ttlMs: number): Promise<boolean>;
  /** The match ended: no longer active; its data is kept `retainSeconds` (replays, inspection), then dropped. */
  finish(roomId: string, retainSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/** A {@link MatchStore} in this process's memory: the reference implementation of the contract. */
export class MemoryMatchStore implements MatchStore {
  readonly #matches = new Map<string, PersistedMatch>();
  readonly #frames = new Map<string, Uint8Array[]>();
  readonly #active = new Set<string>();
  readonly #leases = new Map<string, { holder: string; until: number }>();
  readonly #claims = new Map<string, number>();
  readonly #expiries = new Map<string, NodeJS.Timeout>();

  async saveMatch(match: PersistedMatch): Promise<void> {
    this.#matches.set(match.roomId, structuredClone(match));
    this.#active.add(match.roomId);
  }

  async appendFrame(roomId: string, bytes: Uint8Array): Promise<void> {
    const frames = this.#frames.get(roomId) ?? [];
    frames.push(bytes.slice());
    this.#frames.set(roomId, frames);
  }

  async loadMatch(roomId: string): Promise<StoredMatch | undefined> {
    const match = this.#matches.get(roomId);
    if (match === undefined) return undefined;
    return { match: structuredClone(match), frames: (this.#frames.get(roomId) ?? []).map((frame) => frame.slice()) };
  }

  async renewLease(roomId: string, processId: string, ttlMs: number): Promise<void> {
    this.#leases.set(roomId, { holder: processId, until: Date.now() + ttlMs });
  }

  async releaseLease(roomId: string): Promise<void> {
    this.#leases.delete(roomId);
  }

  async leaseHolder(roomId: string): Promise<string | undefined> {
    const lease = this.#leases.get(roomId);
    return lease !== undefined && lease.until > Date.now() ? lease.holder : undefined;
  }

  async activeMatches(): Promise<string[]> {
    return [...this.#active];
  }

  async claim(roomId: string, _processId: string, ttlMs: number): Promise<boolean> {
    if ((this.#claims.get(roomId) ?? 0) > Date.now()) return false;
    this.#claims.set(roomId, Date.now() + ttlMs);
    return true;
  }

  async finish(roomId: string, retainSeconds: number): Promise<void> {
    this.#active.delete(roomId);
    this.#leases.delete(roomId);
    clearTimeout(this.#expiries.get(roomId));
    const expiry = setTimeout(() => {
      this.#matches.delete(roomId);
      this.#frames.delete(roomId);
    }, retainSeconds * 1000);
    expiry.unref();
    this.#expiries.set(roomId, expiry);
  }

  async close(): Promise<void> {
    for (const expiry of this.#expiries.values()) clearTimeout(expiry);
  }
}
