/**
 * colyseus-lockstep: server-driven lockstep ("frame sync") rooms for Colyseus 0.18.
 * @packageDocumentation
 */
export { LockstepRoom, type LeaveReason } from "./lockstep/lockstep-room.ts";
export type { ActionVerdict } from "./lockstep/action-intake.ts";
export type { ClosedFrame } from "./lockstep/closed-frame.ts";
export type { LockstepPlayer, PlayerIdentity } from "./lockstep/roster.ts";
export { defaultIdentity } from "./lockstep/identity.ts";
export { FrameLog, type FrameRun, type LogOverflowPolicy } from "./lockstep/frame-log.ts";
export { FrameScheduler, type MonotonicClock, type Timers } from "./lockstep/frame-scheduler.ts";
export { lockstepOptionsSchema, resolveLockstepOptions, type LockstepOptions, type LockstepOptionsInput } from "./lockstep/options.ts";
export { createLockstepServer, type LockstepServer, type LockstepServerOptions } from "./server/create-server.ts";
export type { AdmissionLimits, TokenVerifier, VerifiedIdentity } from "./server/room-admission.ts";
export { LockstepMetrics } from "./lockstep/metrics.ts";
export { Histogram } from "./lockstep/histogram.ts";
export { PhaseBalancer, type PhaseLease } from "./lockstep/phase-balancer.ts";
export { accountsTokenVerifier, installAccounts, mountAuthRoutes, AUTH_PREFIX, type AccountsOptions } from "./accounts/accounts.ts";
export { requirePermission } from "./accounts/admin-gate.ts";
export { Role, Permission, hasPermission } from "./accounts/roles.ts";
export { loadSecurityConfig, type SecurityConfig } from "./accounts/security-config.ts";
export { openUserStore } from "./accounts/open-user-store.ts";
export { openEmbeddedDatabase, openPostgres, type PostgresOptions, type SqlClient } from "./accounts/sql-client.ts";
export { DatabaseUnavailableError } from "./accounts/database-errors.ts";
export { EmbeddedDatabaseBusyError } from "./accounts/embedded-lock.ts";
export { SqlUserStore, EmailTakenError, type UserStore, type UserRecord, type NewUser } from "./accounts/user-store.ts";
export { createScalingBackends, loadScalingConfig, type ScalingBackends, type ScalingConfig } from "./scaling/scaling-config.ts";
export {
  JournalError,
  JournalErrorCode,
  type FramesWrite,
  type JournalOwner,
  type LeaseRenewal,
  type MatchStore,
  type PersistedMatch,
  type PersistedSeat,
  type RecordWrite,
  type StoredMatch,
} from "./scaling/match-store.ts";
export { MemoryMatchStore } from "./scaling/memory-match-store.ts";
export { RedisMatchStore, type RedisMatchStoreOptions } from "./scaling/redis-match-store.ts";
export { DEFAULT_STORE_OUTAGE_LIMIT_MS, type JournalOptions } from "./scaling/match-journal.ts";
export { MatchRecovery } from "./scaling/match-recovery.ts";
export { mountAdminRoutes } from "./scaling/admin-routes.ts";
export { LOCKSTEP_SERVICES, type LockstepServices } from "./scaling/lockstep-services.ts";
export { startDemoServer, type DemoServerOptions } from "./demo/demo-server.ts";
export * from "./protocol/index.ts";
