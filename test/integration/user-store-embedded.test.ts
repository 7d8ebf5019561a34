import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
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
