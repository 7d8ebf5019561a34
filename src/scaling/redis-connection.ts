import { logger } from "@colyseus/core";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis, type RedisOptions } from "ioredis";

/** Reconnection attempts back off to at most 500 ms: a restarted Redis is found again within half a second. */
export const MAX_RECONNECT_DELAY_MS = 500;
/** Connecting gives up after this long and is retried (a refused or black-holed address). */
export const CONNECT_TIMEOUT_MS = 2000;

/**
 * Reports a connection's outages in two lines (down, then back) instead of one line per failed
 * attempt, which is what ioredis prints for a client without an `error` listener, many times a
 * second, for as long as Redis is unreachable.
 */
export function reportOutages(redis: Redis, name: string): void {
  let down = false;
  redis.on("error", (error: Error) => {
    // A call that timed out is not a lost connection (its caller gets the error).
    if (down || error.message === "Command timed out") return;
    down = true;
    logger.warn(`lockstep: ${name}: Redis unreachable (${error.message}); retrying`);
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info(`lockstep: ${name}: Redis reachable again`);
  });
}

/** A Redis connection that reconnects quickly and reports outages once (see {@link reportOutages}). */
export function connectRedis(url: string, name: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    ...options,
  });
  reportOutages(redis, name);
  return redis;
}

/** A call of Colyseus's presence (publish, keys) or driver fails after 5 s of outage: matchmaking answers with an error instead of hanging. */
export const COLYSEUS_COMMAND_TIMEOUT_MS = 5000;

/**
 * How Colyseus's presence and driver connections behave during an outage: a call is never
 * dropped after a number of reconnection attempts. With ioredis's default (give up after 20
 * attempts, about 10 s), a promise nobody awaited was rejected (ending the process), and a
 * presence subscriber that lived through it came back "ready" with its subscriptions lost and
 * its queue stuck, so every room created afterwards hung.
 */
export const COLYSEUS_CONNECTION_OPTIONS: RedisOptions = { maxRetriesPerRequest: null };

/**
 * Colyseus's Redis presence on a connection of ours (so its outages are reported once), whose
 * subscriber connection, which the presence makes itself by duplicating it, is watched too.
 * Only the publishing connection gets {@link COLYSEUS_COMMAND_TIMEOUT_MS}: on the subscriber, a
 * timed-out (re)subscription is lost for good, so it waits for Redis instead.
 */
export class ReportingRedisPresence extends RedisPresence {
  constructor(redis: Redis) {
    super(redis);
    reportOutages(this.sub as Redis, "presence subscriber");
    // Read by ioredis when a call is made: set after the subscriber was duplicated without it.
    redis.options.commandTimeout = COLYSEUS_COMMAND_TIMEOUT_MS;
  }
}
