import { LocalDriver, LocalPresence } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { presenceDriverContract } from "../contract/presence-driver.contract.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";

const unavailable = await redisUnavailable();

presenceDriverContract("local", async () => ({ presence: new LocalPresence(), driver: new LocalDriver() }));
presenceDriverContract(
  "Redis",
  async () => {
    await flushTestRedis();
    return { presence: new RedisPresence(TEST_REDIS_URL), driver: new RedisDriver(TEST_REDIS_URL) };
  },
  unavailable !== undefined ? { skip: unavailable } : {},
);
