import type { MatchMakerDriver, Presence } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import type { LockstepServices } from "../lockstep/room-services.ts";
import { DEFAULT_STORE_OUTAGE_LIMIT_MS, storePersistence } from "./match-journal.ts";
import { MatchRecovery } from "./match-recovery.ts";
import { ReplayRecovery } from "./replay-recovery.ts";
import type { ReplaySink } from "../lockstep/replay-archive.ts";
import { DEFAULT_REDIS_PREFIX, RedisMatchStore } from "./redis-match-store.ts";
import { COLYSEUS_COMMAND_TIMEOUT_MS, COLYSEUS_CONNECTION_OPTIONS, ReportingRedisPresence, connectRedis } from "./redis-connection.ts";

/** How this process joins the others, from the environment. */
export interface ScalingConfig {
  /** With it, every process shares presence, matchmaking and running matches through Redis. */
  readonly redisUrl: string | undefined;
  /** `host:port` where clients reach this process. */
  readonly publicAddress: string;
  /** Prefix of the keys the match store writes. */
  readonly redisPrefix: string;
  /** How long a match may go without storing a frame before this process gives it up (see `DEFAULT_STORE_OUTAGE_LIMIT_MS`). */
  readonly storeOutageLimitMs: number;
}

/**
 * Reads `REDIS_URL`, `PUBLIC_ADDRESS` (or `PUBLIC_HOST`, default `localhost`, with the port),
 * `REDIS_PREFIX` and `STORE_OUTAGE_LIMIT_MS`. Throws on a limit that is not a positive integer.
 */
export function loadScalingConfig(port: number, env: NodeJS.ProcessEnv = process.env): ScalingConfig {
  const limit = env.STORE_OUTAGE_LIMIT_MS ? Number(env.STORE_OUTAGE_LIMIT_MS) : DEFAULT_STORE_OUTAGE_LIMIT_MS;
  if (!Number.isInteger(limit) || limit <= 0)
    throw new Error(`STORE_OUTAGE_LIMIT_MS must be a positive number of milliseconds, not ${env.STORE_OUTAGE_LIMIT_MS}`);
  return {
    redisUrl: env.REDIS_URL || undefined,
    publicAddress: env.PUBLIC_ADDRESS || `${env.PUBLIC_HOST || "localhost"}:${port}`,
    redisPrefix: env.REDIS_PREFIX || DEFAULT_REDIS_PREFIX,
    storeOutageLimitMs: limit,
  };
}

/** The scaling seams of a process: Colyseus's presence and driver, and the lockstep match store. */
export interface ScalingBackends {
  readonly presence?: Presence;
  readonly driver?: MatchMakerDriver;
  readonly publicAddress?: string;
  readonly services: LockstepServices;
  /**
   * Starts resuming orphaned matches (call once the server listens) and, with `replays` (the
   * process's replay archive), writing the replays of ended matches that no process wrote.
   */
  start(replays?: ReplaySink): void;
  /** Stops resuming matches and recovering replays (first thing when this process stops). */
  stop(): void;
  /** Closes the match store's connection (last thing). */
  close(): Promise<void>;
}

/**
 * Without `REDIS_URL`: Colyseus's local presence and driver, one process, and matches that
 * end with it. With it: Redis presence and driver (every process shares the matchmaker; each
 * is reached at its own `publicAddress`), and a Redis match store so matches survive their process.
 */
export function createScalingBackends(config: ScalingConfig): ScalingBackends {
  if (config.redisUrl === undefined) {
    return { services: {}, start: () => undefined, stop: () => undefined, close: async () => undefined };
  }
  const matchStore = new RedisMatchStore(config.redisUrl, { prefix: config.redisPrefix });
  const recovery = new MatchRecovery(matchStore);
  let replayRecovery: ReplayRecovery | undefined;
  return {
    presence: new ReportingRedisPresence(connectRedis(config.redisUrl, "presence", COLYSEUS_CONNECTION_OPTIONS)),
    driver: new RedisDriver(
      connectRedis(config.redisUrl, "matchmaker driver", { ...COLYSEUS_CONNECTION_OPTIONS, commandTimeout: COLYSEUS_COMMAND_TIMEOUT_MS }),
    ),
    publicAddress: config.publicAddress,
    services: { persistence: storePersistence(matchStore, recovery, { outageLimitMs: config.storeOutageLimitMs }) },
    start: (replays) => {
      recovery.start();
      if (replays !== undefined && replayRecovery === undefined) {
        replayRecovery = new ReplayRecovery(matchStore, replays);
        replayRecovery.start();
      }
    },
    stop: () => {
      recovery.stop();
      replayRecovery?.stop();
    },
    close: () => matchStore.close(),
  };
}
