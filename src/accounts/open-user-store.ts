import { mkdirSync } from "node:fs";
import type { SecurityConfig } from "./security-config.ts";
import { openEmbeddedDatabase, openPostgres } from "./sql-client.ts";
import { SqlUserStore } from "./user-store.ts";

/** Opens the configured store: PostgreSQL when `DATABASE_URL` is set, else the embedded database in `DATA_DIR`. */
export async function openUserStore(
  config: Pick<SecurityConfig, "databaseUrl" | "dataDir" | "databaseConnectTimeoutMs" | "databaseStatementTimeoutMs">,
): Promise<SqlUserStore> {
  if (config.databaseUrl !== undefined) {
    const url = config.databaseUrl;
    return SqlUserStore.open(
      await openPostgres({ url, connectTimeoutMs: config.databaseConnectTimeoutMs, statementTimeoutMs: config.databaseStatementTimeoutMs }),
    );
  }
  // Private: it holds every account (and, in development, the JWT secret).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return SqlUserStore.open(await openEmbeddedDatabase(config.dataDir));
}
