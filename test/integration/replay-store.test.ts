import assert from "node:assert/strict";
import { after, test } from "node:test";
import { openReplayStore, SqlReplayStore } from "../../src/accounts/replay-store.ts";
import { openEmbeddedDatabase, openPostgres } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { replayFixture, replayStoreContract } from "../contract/replay-store.contract.ts";
import { TEST_DATABASE_URL, dropSchema, postgresUnavailable, uniqueSchema } from "../support/postgres.ts";

replayStoreContract("embedded (PGlite)", async () => {
  const sql = await openEmbeddedDatabase();
  return { store: await SqlReplayStore.open(sql), sql, close: () => sql.close() };
});

const unavailable = await postgresUnavailable();
const schema = uniqueSchema();

replayStoreContract(
  "PostgreSQL",
  async () => {
    const sql = await openPostgres({ url: TEST_DATABASE_URL, schema });
    return { store: await SqlReplayStore.open(sql), sql, close: () => sql.close() };
  },
  { ...(unavailable !== undefined ? { skip: unavailable } : {}) },
);

after(async () => {
  if (unavailable === undefined) await dropSchema(schema);
});

test("embedded (PGlite): the replay store shares the user store's connection, and closes with it", async () => {
  const users = await SqlUserStore.open(await openEmbeddedDatabase());
  const replays = await openReplayStore(users);
  const fixture = await replayFixture();
  await replays.save(fixture);
  await users.create({ name: "guest", anonymous: true });
  assert.deepEqual(await replays.get(fixture.summary.id), { summary: fixture.summary, document: fixture.document });
  assert.equal(await users.count(), 1);
  await users.close();
  await assert.rejects(replays.get(fixture.summary.id));
});
