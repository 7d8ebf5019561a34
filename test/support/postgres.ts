import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server of this machine and of CI (trust auth, database `test`), unless TEST_DATABASE_URL says otherwise. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Why PostgreSQL tests cannot run, or undefined if the server answers. In CI a missing server
 * is an error (thrown), never a skip; locally the reason is printed and the tests skip.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    const reason = `PostgreSQL at ${TEST_DATABASE_URL} is not reachable: ${(error as Error).message}`;
    if (process.env.CI) throw new Error(reason);
    console.log(`skipping PostgreSQL tests locally: ${reason}`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema name per test run, so runs never see each other's rows. */
export function uniqueSchema(): string {
  return `lockstep_test_${randomBytes(6).toString("hex")}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
