import { MemoryMatchStore } from "../../src/scaling/match-store.ts";
import { RedisMatchStore } from "../../src/scaling/redis-match-store.ts";
import { matchStoreContract } from "../contract/match-store.contract.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";

const unavailable = await redisUnavailable();

matchStoreContract("memory", async () => new MemoryMatchStore());
matchStoreContract(
  "Redis",
  async () => {
    await flushTestRedis();
    return new RedisMatchStore(TEST_REDIS_URL, `contract-${process.pid}`);
  },
  unavailable !== undefined ? { skip: unavailable } : {},
);
