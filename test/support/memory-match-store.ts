import { packFrames } from "../../src/lockstep/frame-runs.ts";
import type { FrameRunSource } from "../../src/lockstep/replay-archive.ts";
import { verifyJournal } from "../../src/scaling/journal-integrity.ts";
import type { ReplayHeader } from "../../src/protocol/replay-format.ts";
import type { VerifiedSnapshot } from "../../src/lockstep/snapshot-keeper.ts";
import type { FramesWrite, JournalOwner, LeaseRenewal, MatchStore, PersistedMatch, RecordWrite, StoredMatch } from "../../src/scaling/match-store.ts";

interface Journal {
  match: PersistedMatch;
  firstFrame: number;
  frames: Uint8Array[];
  broken?: string;
  replay?: ReplayHeader;
  snapshot?: VerifiedSnapshot;
}

interface Expiring {
  readonly holder: string;
  readonly until: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);

/**
 * A {@link MatchStore} in this process's memory: the reference implementation of the contract,
 * with the same fencing and numbering rules as the Redis one.
 */
export class MemoryMatchStore implements MatchStore {
  readonly #journals = new Map<string, Journal>();
  readonly #active = new Set<string>();
  readonly #pendingReplays = new Set<string>();
  readonly #leases = new Map<string, Expiring>();
  readonly #claims = new Map<string, Expiring>();
  readonly #expiries = new Map<string, NodeJS.Timeout>();

  async openJournal(owner: JournalOwner, match: PersistedMatch, firstFrame: number): Promise<RecordWrite> {
    if (!this.#own(owner, match.roomId)) return { status: "fenced" };
    this.#journals.set(match.roomId, { match: structuredClone(match), firstFrame, frames: [] });
    this.#active.add(match.roomId);
    return { status: "ok" };
  }

  async saveMatch(owner: JournalOwner, match: PersistedMatch): Promise<RecordWrite> {
    if (!this.#own(owner, match.roomId)) return { status: "fenced" };
    const journal = this.#journals.get(match.roomId);
    if (journal === undefined) return { status: "missing" };
    journal.match = structuredClone(match);
    this.#active.add(match.roomId);
    return { status: "ok" };
  }

  async saveSnapshot(owner: JournalOwner, roomId: string, snapshot: VerifiedSnapshot): Promise<RecordWrite> {
    if (!this.#own(owner, roomId)) return { status: "fenced" };
    const journal = this.#journals.get(roomId);
    if (journal === undefined) return { status: "missing" };
    journal.snapshot = { frame: snapshot.frame, state: snapshot.state };
    return { status: "ok" };
  }

  async storeFrames(owner: JournalOwner, roomId: string, firstFrame: number, frames: readonly Uint8Array[]): Promise<FramesWrite> {
    if (!this.#own(owner, roomId)) return { status: "fenced" };
    const journal = this.#journals.get(roomId);
    if (journal === undefined) return { status: "missing" };
    const nextFrame = journal.firstFrame + journal.frames.length;
    if (firstFrame > nextFrame) return { status: "behind", nextFrame };
    for (let index = 0; index < frames.length; index++) {
      const frame = firstFrame + index;
      if (frame < journal.firstFrame) continue;
      const stored = journal.frames[frame - journal.firstFrame];
      if (stored !== undefined && !sameBytes(stored, frames[index]!)) return { status: "conflict", frame };
    }
    for (let index = nextFrame - firstFrame; index < frames.length; index++) journal.frames.push(frames[index]!.slice());
    return { status: "stored", lastFrame: journal.firstFrame + journal.frames.length - 1 };
  }

  async loadMatch(roomId: string): Promise<StoredMatch | undefined> {
    const journal = this.#journals.get(roomId);
    if (journal === undefined) return undefined;
    verifyJournal(roomId, journal.firstFrame, journal.frames);
    const { snapshot } = journal;
    return {
      match: structuredClone(journal.match),
      firstFrame: journal.firstFrame,
      frames: journal.frames.map((frame) => frame.slice()),
      ...(snapshot !== undefined ? { snapshot: { ...snapshot } } : {}),
    };
  }

  async renewLease(owner: JournalOwner, roomId: string): Promise<LeaseRenewal> {
    return { held: this.#own(owner, roomId), recordExists: this.#journals.has(roomId) };
  }

  async releaseLease(roomId: string, processId: string): Promise<void> {
    if (this.#alive(this.#leases, roomId) === processId) this.#leases.delete(roomId);
  }

  async leaseHolder(roomId: string): Promise<string | undefined> {
    return this.#alive(this.#leases, roomId);
  }

  async activeMatches(): Promise<string[]> {
    return [...this.#active];
  }

  async claim(roomId: string, processId: string, ttlMs: number): Promise<boolean> {
    if (!this.#active.has(roomId)) return false;
    if (this.#alive(this.#leases, roomId) !== undefined || this.#alive(this.#claims, roomId) !== undefined) return false;
    this.#claims.set(roomId, { holder: processId, until: Date.now() + ttlMs });
    return true;
  }

  async finish(owner: JournalOwner, roomId: string, retainSeconds: number, replay?: ReplayHeader): Promise<RecordWrite> {
    const journal = this.#journals.get(roomId);
    const written = this.#retire(owner, roomId, retainSeconds, undefined);
    if (written.status === "ok" && replay !== undefined && journal !== undefined) {
      journal.replay = structuredClone(replay);
      this.#pendingReplays.add(roomId);
    }
    return written;
  }

  async pendingReplays(): Promise<string[]> {
    return [...this.#pendingReplays];
  }

  async pendingReplayEnd(roomId: string): Promise<string | undefined> {
    return (await this.pendingReplayHeader(roomId))?.ended_at;
  }

  async pendingReplayHeader(roomId: string): Promise<ReplayHeader | undefined> {
    const replay = this.#journals.get(roomId)?.replay;
    if (replay === undefined) this.#pendingReplays.delete(roomId);
    return replay === undefined ? undefined : structuredClone(replay);
  }

  async finishedFrames(roomId: string): Promise<FrameRunSource | undefined> {
    const stored = await this.loadMatch(roomId);
    return stored === undefined ? undefined : { firstFrame: stored.firstFrame, runs: [packFrames(stored.frames)] };
  }

  async quarantine(owner: JournalOwner, roomId: string, reason: string, retainSeconds: number): Promise<RecordWrite> {
    return this.#retire(owner, roomId, retainSeconds, reason);
  }

  async remove(roomId: string): Promise<boolean> {
    if (this.#active.has(roomId)) return false;
    clearTimeout(this.#expiries.get(roomId));
    this.#expiries.delete(roomId);
    this.#journals.delete(roomId);
    this.#pendingReplays.delete(roomId);
    return true;
  }

  /** Drops everything: what a restart of a store without persistence does (tests of the journal's recovery). */
  wipe(): void {
    for (const expiry of this.#expiries.values()) clearTimeout(expiry);
    for (const map of [this.#journals, this.#leases, this.#claims, this.#expiries]) map.clear();
    this.#active.clear();
    this.#pendingReplays.clear();
  }

  async close(): Promise<void> {
    for (const expiry of this.#expiries.values()) clearTimeout(expiry);
  }

  #retire(owner: JournalOwner, roomId: string, retainSeconds: number, reason: string | undefined): RecordWrite {
    if (!this.#own(owner, roomId)) return { status: "fenced" };
    this.#active.delete(roomId);
    this.#leases.delete(roomId);
    this.#claims.delete(roomId);
    const journal = this.#journals.get(roomId);
    if (journal !== undefined && reason !== undefined) journal.broken = reason;
    clearTimeout(this.#expiries.get(roomId));
    // As in Redis: nothing to keep means the data goes now.
    if (retainSeconds <= 0) {
      this.#journals.delete(roomId);
      return { status: "ok" };
    }
    const expiry = setTimeout(() => this.#journals.delete(roomId), retainSeconds * 1000);
    expiry.unref();
    this.#expiries.set(roomId, expiry);
    return { status: "ok" };
  }

  /** The fencing rule of every write (see `JournalOwner`): true if `owner` holds, or may take, the lease, which it then has. */
  #own(owner: JournalOwner, roomId: string): boolean {
    const lease = this.#alive(this.#leases, roomId);
    const claim = this.#alive(this.#claims, roomId);
    if (lease !== undefined ? lease !== owner.processId : claim !== undefined && claim !== owner.processId) return false;
    this.#leases.set(roomId, { holder: owner.processId, until: Date.now() + owner.leaseTtlMs });
    if (claim === owner.processId) this.#claims.delete(roomId);
    return true;
  }

  #alive(map: Map<string, Expiring>, roomId: string): string | undefined {
    const entry = map.get(roomId);
    return entry !== undefined && entry.until > Date.now() ? entry.holder : undefined;
  }
}
