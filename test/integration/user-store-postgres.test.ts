import { after } from "node:test";
import { openPostgres } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { userStoreContract } from "../contract/user-store.contract.ts";
import { TEST_DATABASE_URL, dropSchema, postgresUnavailable, uniqueSchema } from "../support/postgres.ts";

const unavailable = await postgresUnavailable();
const schema = uniqueSchema();

userStoreContract("PostgreSQL", async () => SqlUserStore.open(await openPostgres({ url: TEST_DATABASE_URL, schema })), {
  ...(unavailable !== undefined ? { skip: unavailable } : {}),
});

after(async () => {
  if (unavailable === undefined) await dropSchema(schema);
});
