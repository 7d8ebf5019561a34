import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openDesyncReportStore, SqlDesyncReportStore } from "../../src/accounts/desync-report-store.ts";
import { openEmbeddedDatabase, openPostgres } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { desyncReport, desyncReportStoreContract } from "../contract/desync-report-store.contract.ts";
import { TEST_DATABASE_URL, dropSchema, postgresUnavailable, uniqueSchema } from "../support/postgres.ts";

desyncReportStoreContract("embedded (PGlite)", async () => {
  const sql = await openEmbeddedDatabase();
  return { store: await SqlDesyncReportStore.open(sql), close: () => sql.close() };
});

const unavailable = await postgresUnavailable();
const schema = uniqueSchema();

desyncReportStoreContract(
  "PostgreSQL",
  async () => {
    const sql = await openPostgres({ url: TEST_DATABASE_URL, schema });
    return { store: await SqlDesyncReportStore.open(sql), close: () => sql.close() };
  },
  { ...(unavailable !== undefined ? { skip: unavailable } : {}) },
);

after(async () => {
  if (unavailable === undefined) await dropSchema(schema);
});

test("embedded (PGlite): the report store shares the user store's connection, and closes with it", async () => {
  const users = await SqlUserStore.open(await openEmbeddedDatabase());
  const reports = await openDesyncReportStore(users);
  const report = desyncReport();
  await reports.save(report);
  await users.create({ name: "guest", anonymous: true });
  assert.deepEqual(await reports.get(report.id), report);
  assert.equal(await users.count(), 1);
  await users.close();
  await assert.rejects(reports.get(report.id));
});

test("embedded (PGlite) on disk: a stored report survives closing and reopening the database, as on a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lockstep-reports-"));
  try {
    const report = desyncReport();
    const first = await SqlUserStore.open(await openEmbeddedDatabase(dir));
    await (await openDesyncReportStore(first)).save(report);
    await first.close();
    const second = await SqlUserStore.open(await openEmbeddedDatabase(dir));
    try {
      const reports = await openDesyncReportStore(second);
      assert.deepEqual(await reports.get(report.id), report);
      assert.deepEqual(
        (await reports.list({ limit: 10 })).map((summary) => summary.id),
        [report.id],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
