/**
 * `colyseus-lockstep/accounts`: users, logins and tokens for lockstep servers, on
 * `@colyseus/auth` and a SQL user store (embedded PGlite, or PostgreSQL with `pg`). Needs the
 * optional peer dependencies `@colyseus/auth`, `express-rate-limit`, and `@electric-sql/pglite`
 * or `pg`. See the README's "Accounts and security".
 * @packageDocumentation
 */
export { accountsTokenVerifier, installAccounts, mountAuthRoutes, type AccountsOptions } from "./accounts.ts";
export { requirePermission } from "./admin-gate.ts";
export { Role, Permission, hasPermission } from "./roles.ts";
export { loadSecurityConfig, type SecurityConfig } from "./security-config.ts";
export { openUserStore } from "./open-user-store.ts";
export { openEmbeddedDatabase, openPostgres, type PostgresOptions, type SqlClient } from "./sql-client.ts";
export { SqlUserStore, EmailTakenError, type NewUser, type UserRecord, type UserStore } from "./user-store.ts";
export { MAX_STORED_REPORT_BYTES, SqlDesyncReportStore, openDesyncReportStore } from "./desync-report-store.ts";
export { SqlReplayStore, openReplayStore } from "./replay-store.ts";
export { mountReplayRoutes } from "./replay-routes.ts";
export { DatabaseUnavailableError } from "./database-errors.ts";
export { EmbeddedDatabaseBusyError } from "./embedded-lock.ts";
export type { TokenClaims } from "./tokens.ts";
