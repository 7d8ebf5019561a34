import type { Redis } from "ioredis";
import { packFrames } from "../lockstep/frame-runs.ts";
import type { FrameRunSource } from "../lockstep/replay-archive.ts";
import type { FrameBytesRun, ReplayHeader } from "../protocol/replay-format.ts";
import { connectRedis } from "./redis-connection.ts";
import {
  JournalError,
  JournalErrorCode,
  type FramesWrite,
  type JournalOwner,
  type LeaseRenewal,
  type MatchStore,
  type PersistedMatch,
  type RecordWrite,
  type StoredMatch,
} from "./match-store.ts";
import { verifyJournal } from "./journal-integrity.ts";
import {
  CLAIM,
  OPEN_JOURNAL,
  RELEASE_LEASE,
  REMOVE,
  RENEW_LEASE,
  RETIRE,
  SAVE_RECORD,
  SAVE_SNAPSHOT,
  STORE_FRAMES,
  type JournalScript,
} from "./redis-journal-scripts.ts";
import { readStoredSnapshot } from "./stored-snapshot.ts";
import type { VerifiedSnapshot } from "../lockstep/snapshot-keeper.ts";

/** Key layout, under one prefix so several deployments can share a Redis (see `redis-journal-scripts.ts`). */
const keys = (prefix: string) => ({
  active: `${prefix}:matches`,
  replays: `${prefix}:replays`,
  meta: (roomId: string) => `${prefix}:match:${roomId}:meta`,
  frames: (roomId: string) => `${prefix}:match:${roomId}:frames`,
  lease: (roomId: string) => `${prefix}:match:${roomId}:lease`,
  claim: (roomId: string) => `${prefix}:match:${roomId}:claim`,
});

/**
 * Frames read per command when a finished match's frames are read for its replay: one reply of
 * an hour-long match (108,000 frames) held the event loop for 24 to 48 ms here, the read in
 * slices of 4,096 for at most 4 to 7 ms at a time, and the other rooms' frames go out between
 * slices (README, "Replays").
 */
const FINISHED_FRAMES_SLICE = 4096;

/** Default key prefix. */
export const DEFAULT_REDIS_PREFIX = "lockstep";
/**
 * A call that has no answer after 2 s fails (and is retried by its caller) instead of hanging:
 * a healthy Redis answers in well under a millisecond, and the lease (3 s) must be renewable
 * before it lapses, so a stalled connection has to be noticed within one renewal period or two.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/** Options of {@link RedisMatchStore}. */
export interface RedisMatchStoreOptions {
  /** Prefix of every key (default {@link DEFAULT_REDIS_PREFIX}). */
  readonly prefix?: string;
  /** How long a call may wait for its answer before it fails (default {@link DEFAULT_COMMAND_TIMEOUT_MS}). */
  readonly commandTimeoutMs?: number;
}

type ScriptReply = [string, number?];
type ScriptCall = (...args: (string | number | Buffer)[]) => Promise<unknown>;
const SCRIPTS = {
  storeFrames: STORE_FRAMES,
  openJournal: OPEN_JOURNAL,
  saveRecord: SAVE_RECORD,
  saveSnapshot: SAVE_SNAPSHOT,
  renewLease: RENEW_LEASE,
  retire: RETIRE,
  claim: CLAIM,
  releaseLease: RELEASE_LEASE,
  remove: REMOVE,
};
type Scripts = Record<keyof typeof SCRIPTS, ScriptCall>;

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The {@link MatchStore} on Redis, shared by every process. Every write is one Lua script
 * (`redis-journal-scripts.ts`), so fencing by the lease and numbering of frames are checked
 * where the data is. Calls fail after `commandTimeoutMs` rather than hang, and never throw
 * anywhere but to their caller; connection errors are logged once per outage.
 */
export class RedisMatchStore implements MatchStore {
  readonly #redis: Redis;
  readonly #scripts: Scripts;
  readonly #keys: ReturnType<typeof keys>;

  constructor(redisUrl: string, options: RedisMatchStoreOptions = {}) {
    this.#redis = connectRedis(redisUrl, "match store", {
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      // Queued calls fail after one reconnection attempt: the journal retries on its own schedule.
      maxRetriesPerRequest: 1,
    });
    for (const [name, script] of Object.entries(SCRIPTS)) this.#redis.defineCommand(name, script satisfies JournalScript);
    this.#scripts = this.#redis as unknown as Scripts;
    this.#keys = keys(options.prefix ?? DEFAULT_REDIS_PREFIX);
  }

  async openJournal(owner: JournalOwner, match: PersistedMatch, firstFrame: number): Promise<RecordWrite> {
    const k = this.#keys;
    const id = match.roomId;
    const reply = (await this.#scripts.openJournal(
      k.lease(id),
      k.claim(id),
      k.meta(id),
      k.frames(id),
      k.active,
      owner.processId,
      owner.leaseTtlMs,
      id,
      JSON.stringify(match),
      firstFrame,
    )) as ScriptReply;
    return reply[0] === "ok" ? { status: "ok" } : { status: "fenced" };
  }

  async saveMatch(owner: JournalOwner, match: PersistedMatch): Promise<RecordWrite> {
    const k = this.#keys;
    const id = match.roomId;
    const reply = (await this.#scripts.saveRecord(
      k.lease(id),
      k.claim(id),
      k.meta(id),
      k.active,
      owner.processId,
      owner.leaseTtlMs,
      id,
      JSON.stringify(match),
    )) as ScriptReply;
    return { status: reply[0] as RecordWrite["status"] };
  }

  async saveSnapshot(owner: JournalOwner, roomId: string, snapshot: VerifiedSnapshot): Promise<RecordWrite> {
    const k = this.#keys;
    const reply = (await this.#scripts.saveSnapshot(
      k.lease(roomId),
      k.claim(roomId),
      k.meta(roomId),
      owner.processId,
      owner.leaseTtlMs,
      JSON.stringify({ frame: snapshot.frame, state: snapshot.state }),
    )) as ScriptReply;
    return { status: reply[0] as RecordWrite["status"] };
  }

  async storeFrames(owner: JournalOwner, roomId: string, firstFrame: number, frames: readonly Uint8Array[]): Promise<FramesWrite> {
    const k = this.#keys;
    const reply = (await this.#scripts.storeFrames(
      k.lease(roomId),
      k.claim(roomId),
      k.meta(roomId),
      k.frames(roomId),
      owner.processId,
      owner.leaseTtlMs,
      firstFrame,
      ...frames.map(toBuffer),
    )) as ScriptReply;
    const [status, value] = reply;
    switch (status) {
      case "stored":
        return { status, lastFrame: Number(value) };
      case "behind":
        return { status, nextFrame: Number(value) };
      case "conflict":
        return { status, frame: Number(value) };
      default:
        return { status: status as "fenced" | "missing" };
    }
  }

  async loadMatch(roomId: string): Promise<StoredMatch | undefined> {
    const replies = await this.#redis
      .multi()
      .hget(this.#keys.meta(roomId), "record")
      .hget(this.#keys.meta(roomId), "first")
      .hget(this.#keys.meta(roomId), "snapshot")
      .lrangeBuffer(this.#keys.frames(roomId), 0, -1)
      .exec();
    if (replies === null) throw new Error(`loading match ${roomId}: the transaction was aborted`);
    for (const [error] of replies) {
      // Keys of another layout (such as the positional journal of earlier versions) cannot be trusted.
      if (error?.message.startsWith("WRONGTYPE")) throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, roomId, "its keys are not in this version's layout");
      if (error) throw error;
    }
    const [record, first, snapshotText, frames] = replies.map(([, value]) => value) as [string | null, string | null, string | null, Buffer[]];
    if (record === null) return undefined;
    if (first === null) throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, roomId, "the record has no first frame");
    const firstFrame = Number(first);
    const bytes = frames.map((frame) => new Uint8Array(frame));
    verifyJournal(roomId, firstFrame, bytes);
    const snapshot = snapshotText === null ? undefined : readStoredSnapshot(roomId, snapshotText);
    return { match: JSON.parse(record) as PersistedMatch, firstFrame, frames: bytes, ...(snapshot !== undefined ? { snapshot } : {}) };
  }

  async renewLease(owner: JournalOwner, roomId: string): Promise<LeaseRenewal> {
    const k = this.#keys;
    const [held, exists] = (await this.#scripts.renewLease(k.lease(roomId), k.claim(roomId), k.meta(roomId), owner.processId, owner.leaseTtlMs)) as [
      number,
      number,
    ];
    return { held: held === 1, recordExists: exists === 1 };
  }

  async releaseLease(roomId: string, processId: string): Promise<void> {
    await this.#scripts.releaseLease(this.#keys.lease(roomId), processId);
  }

  async leaseHolder(roomId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.lease(roomId))) ?? undefined;
  }

  activeMatches(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.active);
  }

  async claim(roomId: string, processId: string, ttlMs: number): Promise<boolean> {
    return (await this.#scripts.claim(this.#keys.lease(roomId), this.#keys.claim(roomId), this.#keys.active, processId, ttlMs, roomId)) === 1;
  }

  finish(owner: JournalOwner, roomId: string, retainSeconds: number, replay?: ReplayHeader): Promise<RecordWrite> {
    return this.#retire(owner, roomId, retainSeconds, "", replay === undefined ? "" : JSON.stringify(replay), replay?.ended_at ?? "");
  }

  quarantine(owner: JournalOwner, roomId: string, reason: string, retainSeconds: number): Promise<RecordWrite> {
    return this.#retire(owner, roomId, retainSeconds, reason, "", "");
  }

  pendingReplays(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.replays);
  }

  async pendingReplayEnd(roomId: string): Promise<string | undefined> {
    const endedAt = await this.#redis.hget(this.#keys.meta(roomId), "replay_ended");
    if (endedAt !== null) return endedAt;
    // Written before the time was kept apart (or expired): the header says.
    return (await this.pendingReplayHeader(roomId))?.ended_at;
  }

  async pendingReplayHeader(roomId: string): Promise<ReplayHeader | undefined> {
    const header = await this.#redis.hget(this.#keys.meta(roomId), "replay");
    if (header === null) {
      // The journal expired (or was removed): nothing left to write; forget it.
      await this.#redis.srem(this.#keys.replays, roomId);
      return undefined;
    }
    return JSON.parse(header) as ReplayHeader;
  }

  async finishedFrames(roomId: string): Promise<FrameRunSource | undefined> {
    const k = this.#keys;
    const [first, count] = await Promise.all([this.#redis.hget(k.meta(roomId), "first"), this.#redis.llen(k.frames(roomId))]);
    if (first === null) return undefined;
    const firstFrame = Number(first);
    const runs: FrameBytesRun[] = [];
    // A finished journal is never written again, so slices read one after another add up to the whole.
    for (let start = 0; start < count; start += FINISHED_FRAMES_SLICE) {
      const slice = await this.#redis.lrangeBuffer(k.frames(roomId), start, Math.min(count, start + FINISHED_FRAMES_SLICE) - 1);
      verifyJournal(roomId, firstFrame + start, slice);
      runs.push(packFrames(slice));
      if (slice.length < FINISHED_FRAMES_SLICE && start + slice.length < count) return undefined; // removed meanwhile
    }
    return { firstFrame, runs };
  }

  async remove(roomId: string): Promise<boolean> {
    const k = this.#keys;
    return (await this.#scripts.remove(k.active, k.meta(roomId), k.frames(roomId), k.replays, roomId)) === 1;
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #retire(owner: JournalOwner, roomId: string, retainSeconds: number, reason: string, replay: string, endedAt: string): Promise<RecordWrite> {
    const k = this.#keys;
    const reply = (await this.#scripts.retire(
      k.lease(roomId),
      k.claim(roomId),
      k.meta(roomId),
      k.frames(roomId),
      k.active,
      k.replays,
      owner.processId,
      owner.leaseTtlMs,
      roomId,
      retainSeconds,
      reason,
      replay,
      endedAt,
    )) as ScriptReply;
    return { status: reply[0] as "ok" | "fenced" };
  }
}
