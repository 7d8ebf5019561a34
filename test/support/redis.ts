import { Redis } from "ioredis";

/**
 * The Redis of this machine and of CI. Tests use their own logical database (15 by default)
 * and empty it first, so they never see or touch another database's keys.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15";

/** Why Redis tests cannot run (printed, tests skip) locally; in CI an unreachable Redis throws. */
export async function redisUnavailable(): Promise<string | undefined> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    const reason = `Redis at ${TEST_REDIS_URL} is not reachable: ${(error as Error).message}`;
    if (process.env.CI) throw new Error(reason);
    console.log(`skipping Redis tests locally: ${reason}`);
    return reason;
  } finally {
    redis.disconnect();
  }
}

/** Empties the test database. */
export async function flushTestRedis(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await redis.flushdb();
  } finally {
    await redis.quit();
  }
}
