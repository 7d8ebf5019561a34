import type { PGlite } from "@electric-sql/pglite";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "./database-errors.ts";
import { EmbeddedDatabaseLock, type EmbeddedDatabaseBusyError } from "./embedded-lock.ts";

/** The little SQL surface the user store needs; PGlite and node-postgres both provide it. */
export interface SqlClient {
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (client: Pick<SqlClient, "query">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly): no server to install. Data persists in `dataDir`;
 * without one, it lives in memory (tests). A directory is opened by one process at a time: it
 * is locked (see {@link EmbeddedDatabaseLock}) until `close`, and a second opener, in this
 * process or another, gets {@link EmbeddedDatabaseBusyError}.
 */
export async function openEmbeddedDatabase(dataDir?: string): Promise<SqlClient> {
  const lock = dataDir === undefined ? undefined : EmbeddedDatabaseLock.acquire(dataDir);
  let db: PGlite;
  try {
    // Loaded on use: an application on PostgreSQL needs no PGlite installed, and the reverse.
    const { PGlite: Embedded } = await import("@electric-sql/pglite");
    db = dataDir === undefined ? await Embedded.create() : await Embedded.create(dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const client: SqlClient = {
    query: async (sql, params) => ({ rows: (await db.query(sql, params as unknown[])).rows as never[] }),
    transaction: (work) =>
      db.transaction((tx) => work({ query: async (sql, params) => ({ rows: (await tx.query(sql, params as unknown[])).rows as never[] }) })),
    close: async () => {
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    },
  };
  return client;
}

/**
 * Longest wait for a PostgreSQL connection, new or from a full pool. A healthy server accepts
 * one in milliseconds (tens across regions with TLS): 5 s rides out a hiccup, yet a login or a
 * join fails with a clear 503 long before a player gives up, and within Colyseus's seat
 * reservation time.
 */
export const DEFAULT_DATABASE_CONNECT_TIMEOUT_MS = 5_000;
/**
 * Longest a statement may run. Ours are lookups and updates of one row by key, done in well
 * under a millisecond: one still running after 5 s is stuck (a lock, a failing server).
 */
export const DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS = 5_000;
/**
 * How much longer the client-side timer waits than the server's `statement_timeout`: a live
 * server reports its own timeout first (a clean error, the connection kept), and the client
 * timer fires only when nothing answers at all (a stalled server or network).
 */
const CLIENT_TIMEOUT_MARGIN_MS = 1_000;
/** Connections per process: our queries are short, so a few serve many logins and joins. */
const DEFAULT_MAX_CONNECTIONS = 10;

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** `postgres://user@host:port/database`. */
  readonly url: string;
  /** Schema to use (created if missing); default: the server's search path. Tests use one per run to stay isolated. */
  readonly schema?: string;
  /** Pool size; default 10. */
  readonly maxConnections?: number;
  /** Longest wait for a connection; default {@link DEFAULT_DATABASE_CONNECT_TIMEOUT_MS}. */
  readonly connectTimeoutMs?: number;
  /** Longest a statement may run; default {@link DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS}. */
  readonly statementTimeoutMs?: number;
  /** Where connection failures outside a query are reported, one line each; default `console.warn`. */
  readonly log?: (line: string) => void;
}

const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer of milliseconds, got ${value}`);
  return value;
}

/** Runs a database call, turning "cannot reach or hear from the database" into {@link DatabaseUnavailableError}. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
  }
}

/**
 * A PostgreSQL server through a node-postgres pool. Connection failures never crash the
 * process: a pooled connection that breaks while idle (a server restart) is logged in one line
 * and replaced on the next query. Connecting and every statement are bounded in time, and an
 * unreachable, stalled or restarting server fails queries with {@link DatabaseUnavailableError}.
 */
export async function openPostgres(options: PostgresOptions): Promise<SqlClient> {
  const schema = options.schema;
  if (schema !== undefined && !SAFE_IDENTIFIER.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const connectTimeoutMs = positiveMs("connectTimeoutMs", options.connectTimeoutMs, DEFAULT_DATABASE_CONNECT_TIMEOUT_MS);
  const statementTimeoutMs = positiveMs("statementTimeoutMs", options.statementTimeoutMs, DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS);
  const log = options.log ?? ((line: string) => console.warn(line));
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  // Without a listener, an idle connection reset by a restarting server would end the process.
  pool.on("error", (error) => log(`user database: an idle connection failed (${error.message}); it is dropped and replaced on the next query`));
  if (schema !== undefined) await guarded(() => pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  return {
    query: (sql, params) => guarded(async () => ({ rows: (await pool.query(sql, params as unknown[])).rows })),
    async transaction(work) {
      const connection = await guarded(() => pool.connect());
      const onError = (error: Error): void => log(`user database: a connection failed during a transaction (${error.message})`);
      connection.on("error", onError);
      let discard = false;
      try {
        await guarded(() => connection.query("BEGIN"));
        const result = await work({ query: (sql, params) => guarded(async () => ({ rows: (await connection.query(sql, params as unknown[])).rows })) });
        await guarded(() => connection.query("COMMIT"));
        return result;
      } catch (error) {
        // A broken connection is dropped (the server rolls back what it had); a healthy one rolls back and is reused.
        discard =
          isDatabaseUnavailable(error) ||
          !(await connection.query("ROLLBACK").then(
            () => true,
            () => false,
          ));
        throw error;
      } finally {
        connection.off("error", onError);
        connection.release(discard);
      }
    },
    close: () => pool.end(),
  };
}
