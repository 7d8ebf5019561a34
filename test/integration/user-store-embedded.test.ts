import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EmbeddedDatabaseBusyError } from "../../src/accounts/embedded-lock.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { userStoreContract } from "../contract/user-store.contract.ts";

userStoreContract("embedded (PGlite)", async () => SqlUserStore.open(await openEmbeddedDatabase()));

test("embedded (PGlite): data persists in its directory across restarts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lockstep-db-"));
  const first = await SqlUserStore.open(await openEmbeddedDatabase(dir));
  const created = await first.create({ email: "kept@example.com", passwordHash: "h", name: "Kept" });
  await first.close();
  const second = await SqlUserStore.open(await openEmbeddedDatabase(dir));
  assert.deepEqual(await second.findByEmail("kept@example.com"), created);
  await second.close();
});

test("embedded (PGlite): a directory is opened by one store at a time, the second is refused until the first closes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lockstep-db-"));
  const first = await SqlUserStore.open(await openEmbeddedDatabase(dir));
  await assert.rejects(openEmbeddedDatabase(dir), (error: Error) => {
    assert.ok(error instanceof EmbeddedDatabaseBusyError);
    assert.equal(error.pid, process.pid);
    assert.match(error.message, /in use by process \d+ \(this process\).*stop that process first, or set DATABASE_URL/);
    return true;
  });
  await first.close();
  const second = await SqlUserStore.open(await openEmbeddedDatabase(dir));
  assert.equal(await second.count(), 0);
  await second.close();
});
