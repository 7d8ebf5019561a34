import { Redis } from "ioredis";
import type { MatchStore, PersistedMatch, StoredMatch } from "./match-store.ts";

/** Key layout, under one prefix so several deployments can share a Redis. */
const keys = (prefix: string) => ({
  active: `${prefix}:matches`,
  meta: (roomId: string) => `${prefix}:match:${roomId}:meta`,
  frames: (roomId: string) => `${prefix}:match:${roomId}:frames`,
  lease: (roomId: string) => `${prefix}:match:${roomId}:lease`,
  claim: (roomId: string) => `${prefix}:match:${roomId}:claim`,
});

/** Default key prefix. */
export const DEFAULT_REDIS_PREFIX = "lockstep";

/**
 * The {@link MatchStore} on Redis, shared by every process: the description as a JSON string,
 * frames as a list of binary values (RPUSH, one per frame, in order on one connection), the
 * lease and the claim as keys with a PX expiry, the active matches as a set.
 */
export class RedisMatchStore implements MatchStore {
  readonly #redis: Redis;
  readonly #keys: ReturnType<typeof keys>;

  constructor(redisUrl: string, prefix: string = DEFAULT_REDIS_PREFIX) {
    this.#redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.#keys = keys(prefix);
  }

  async saveMatch(match: PersistedMatch): Promise<void> {
    await this.#redis.multi().set(this.#keys.meta(match.roomId), JSON.stringify(match)).sadd(this.#keys.active, match.roomId).exec();
  }

  async appendFrame(roomId: string, bytes: Uint8Array): Promise<void> {
    await this.#redis.rpush(this.#keys.frames(roomId), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  async loadMatch(roomId: string): Promise<StoredMatch | undefined> {
    const [meta, frames] = await Promise.all([
      this.#redis.get(this.#keys.meta(roomId)),
      this.#redis.lrangeBuffer(this.#keys.frames(roomId), 0, -1),
    ]);
    if (meta === null) return undefined;
    return { match: JSON.parse(meta) as PersistedMatch, frames: frames.map((frame) => new Uint8Array(frame)) };
  }

  async renewLease(roomId: string, processId: string, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#keys.lease(roomId), processId, "PX", ttlMs);
  }

  async releaseLease(roomId: string): Promise<void> {
    await this.#redis.del(this.#keys.lease(roomId));
  }

  async leaseHolder(roomId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.lease(roomId))) ?? undefined;
  }

  activeMatches(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.active);
  }

  async claim(roomId: string, processId: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#keys.claim(roomId), processId, "PX", ttlMs, "NX")) === "OK";
  }

  async finish(roomId: string, retainSeconds: number): Promise<void> {
    await this.#redis
      .multi()
      .srem(this.#keys.active, roomId)
      .del(this.#keys.lease(roomId))
      .expire(this.#keys.meta(roomId), retainSeconds)
      .expire(this.#keys.frames(roomId), retainSeconds)
      .exec();
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
