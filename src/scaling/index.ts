/**
 * `colyseus-lockstep/scaling`: several processes behind Colyseus's Redis presence and driver,
 * with running matches journaled to Redis so they survive their process, and operator routes
 * that reach rooms on any process. Needs the optional peer dependencies `ioredis`,
 * `@colyseus/redis-presence` and `@colyseus/redis-driver`. See the README's "Scaling across processes".
 * @packageDocumentation
 */
export { createScalingBackends, loadScalingConfig, type ScalingBackends, type ScalingConfig } from "./scaling-config.ts";
export { mountAdminRoutes } from "./admin-routes.ts";
export { RedisMatchStore, type RedisMatchStoreOptions } from "./redis-match-store.ts";
export { DEFAULT_STORE_OUTAGE_LIMIT_MS } from "./match-journal.ts";
export { JournalError, JournalErrorCode } from "./match-store.ts";
export { PENDING_REPLAY_GRACE_MS, PENDING_REPLAY_SCAN_MS, ReplayRecovery, type ReplayRecoveryOptions } from "./replay-recovery.ts";
