import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hasPermission, Permission } from "../../../src/accounts/roles.ts";
import { DEFAULT_TOKEN_TTL_SECONDS, DEV_JWT_SECRET, loadSecurityConfig } from "../../../src/accounts/security-config.ts";

/** A fresh data directory (not yet created, as on a first start). */
const freshDataDir = (): string => join(mkdtempSync(join(tmpdir(), "lockstep-config-")), "db");
/** A configured secret, so tests of other settings write no secret file. */
const JWT_SECRET = "a-test-secret-that-is-long-enough-for-hs256";

test("production refuses to start without a real JWT secret, and writes no secret file", () => {
  const DATA_DIR = freshDataDir();
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production", DATA_DIR }), /refusing to start in production/);
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production", DATA_DIR, JWT_SECRET: "" }), /refusing to start in production/);
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production", DATA_DIR, JWT_SECRET: DEV_JWT_SECRET }), /refusing to start/);
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production", DATA_DIR, JWT_SECRET: "short" }), /at least 32 characters/);
  assert.equal(existsSync(DATA_DIR), false);
  const config = loadSecurityConfig({ NODE_ENV: "production", DATA_DIR, JWT_SECRET: "x".repeat(40) });
  assert.equal(config.production, true);
  assert.equal(config.jwtSecret, "x".repeat(40));
  assert.equal(config.jwtSecretFile, undefined);
});

test("development without JWT_SECRET generates a random secret once, keeps it in DATA_DIR for the owner only, and reuses it", () => {
  const DATA_DIR = freshDataDir();
  const first = loadSecurityConfig({ DATA_DIR });
  assert.notEqual(first.jwtSecret, DEV_JWT_SECRET, "never the public development secret");
  assert.match(first.jwtSecret, /^[0-9a-f]{64}$/, "256 random bits");
  assert.equal(first.jwtSecretFile, join(DATA_DIR, "jwt-secret"));
  assert.equal(readFileSync(first.jwtSecretFile, "utf8").trim(), first.jwtSecret);
  assert.equal(statSync(first.jwtSecretFile).mode & 0o077, 0, "neither group nor others may read it");
  assert.equal(statSync(DATA_DIR).mode & 0o077, 0, "the directory it created is private too");
  assert.equal(loadSecurityConfig({ DATA_DIR }).jwtSecret, first.jwtSecret, "a restart reuses it");
  assert.notEqual(loadSecurityConfig({ DATA_DIR: freshDataDir() }).jwtSecret, first.jwtSecret, "each data directory has its own");
  assert.equal(loadSecurityConfig({ DATA_DIR, JWT_SECRET }).jwtSecret, JWT_SECRET, "JWT_SECRET wins");
});

test("a secret file too short to be a key is refused with what to do", () => {
  const DATA_DIR = freshDataDir();
  loadSecurityConfig({ DATA_DIR });
  const file = join(DATA_DIR, "jwt-secret");
  for (const content of ["", "short\n"]) {
    writeFileSync(file, content);
    assert.throws(() => loadSecurityConfig({ DATA_DIR }), /holds no usable JWT secret.*delete it/);
  }
});

test("defaults", () => {
  const config = loadSecurityConfig({ JWT_SECRET });
  assert.equal(config.tokenTtlSeconds, DEFAULT_TOKEN_TTL_SECONDS);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.databaseConnectTimeoutMs, 5000);
  assert.equal(config.databaseStatementTimeoutMs, 5000);
  assert.equal(config.dataDir, ".data/db");
  assert.equal(config.tls, undefined);
});

test("numbers and lists from the environment are checked and normalized", () => {
  assert.throws(() => loadSecurityConfig({ JWT_SECRET, TOKEN_TTL_SECONDS: "-5" }), /TOKEN_TTL_SECONDS must be a positive integer/);
  assert.throws(() => loadSecurityConfig({ JWT_SECRET, DATABASE_STATEMENT_TIMEOUT_MS: "soon" }), /DATABASE_STATEMENT_TIMEOUT_MS must be a positive integer/);
  assert.equal(loadSecurityConfig({ JWT_SECRET, DATABASE_CONNECT_TIMEOUT_MS: "1500" }).databaseConnectTimeoutMs, 1500);
  assert.deepEqual(loadSecurityConfig({ JWT_SECRET, ADMIN_EMAILS: " Boss@Example.com ,, ops@example.com" }).adminEmails, [
    "boss@example.com",
    "ops@example.com",
  ]);
});

test("roles grant permissions", () => {
  assert.equal(hasPermission("admin", Permission.MONITOR), true);
  assert.equal(hasPermission("player", Permission.MONITOR), false);
  assert.equal(hasPermission("player", Permission.MANAGE_MATCHES), false);
  assert.equal(hasPermission("admin", Permission.MANAGE_MATCHES), true);
  assert.equal(hasPermission("root", Permission.MONITOR), false);
  assert.equal(hasPermission(undefined, Permission.MONITOR), false);
});
