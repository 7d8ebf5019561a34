import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** The little SQL surface the user store needs; PGlite and node-postgres both provide it. */
export interface SqlClient {
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (client: Pick<SqlClient, "query">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly): no server to install. Data persists in `dataDir`;
 * without one, it lives in memory (tests).
 */
export async function openEmbeddedDatabase(dataDir?: string): Promise<SqlClient> {
  const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const client: SqlClient = {
    query: async (sql, params) => ({ rows: (await db.query(sql, params as unknown[])).rows as never[] }),
    transaction: (work) =>
      db.transaction((tx) => work({ query: async (sql, params) => ({ rows: (await tx.query(sql, params as unknown[])).rows as never[] }) })),
    close: () => db.close(),
  };
  return client;
}

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** `postgres://user@host:port/database`. */
  readonly url: string;
  /** Schema to use (created if missing); default: the server's search path. Tests use one per run to stay isolated. */
  readonly schema?: string;
  /** Pool size; default 10. */
  readonly maxConnections?: number;
}

const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A PostgreSQL server through a node-postgres pool. */
export async function openPostgres(options: PostgresOptions): Promise<SqlClient> {
  const schema = options.schema;
  if (schema !== undefined && !SAFE_IDENTIFIER.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return {
    query: async (sql, params) => ({ rows: (await pool.query(sql, params as unknown[])).rows }),
    async transaction(work) {
      const connection = await pool.connect();
      try {
        await connection.query("BEGIN");
        const result = await work({ query: async (sql, params) => ({ rows: (await connection.query(sql, params as unknown[])).rows }) });
        await connection.query("COMMIT");
        return result;
      } catch (error) {
        await connection.query("ROLLBACK");
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}
