import assert from "node:assert/strict";
import { test } from "node:test";
import { hasPermission, Permission } from "../../../src/accounts/roles.ts";
import { DEFAULT_TOKEN_TTL_SECONDS, DEV_JWT_SECRET, loadSecurityConfig } from "../../../src/accounts/security-config.ts";

test("production refuses to start without a real JWT secret", () => {
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production" }), /refusing to start in production/);
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET }), /refusing to start/);
  assert.throws(() => loadSecurityConfig({ NODE_ENV: "production", JWT_SECRET: "short" }), /at least 32 characters/);
  const config = loadSecurityConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(40) });
  assert.equal(config.production, true);
  assert.equal(config.jwtSecret, "x".repeat(40));
});

test("development falls back to the development secret and defaults", () => {
  const config = loadSecurityConfig({});
  assert.equal(config.jwtSecret, DEV_JWT_SECRET);
  assert.equal(config.tokenTtlSeconds, DEFAULT_TOKEN_TTL_SECONDS);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.tls, undefined);
});

test("numbers and lists from the environment are checked and normalized", () => {
  assert.throws(() => loadSecurityConfig({ TOKEN_TTL_SECONDS: "-5" }), /TOKEN_TTL_SECONDS must be a positive integer/);
  assert.deepEqual(loadSecurityConfig({ ADMIN_EMAILS: " Boss@Example.com ,, ops@example.com" }).adminEmails, ["boss@example.com", "ops@example.com"]);
});

test("roles grant permissions", () => {
  assert.equal(hasPermission("admin", Permission.MONITOR), true);
  assert.equal(hasPermission("player", Permission.MONITOR), false);
  assert.equal(hasPermission("player", Permission.PLAY), true);
  assert.equal(hasPermission("root", Permission.PLAY), false);
  assert.equal(hasPermission(undefined, Permission.PLAY), false);
});
