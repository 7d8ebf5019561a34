import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openPostgres } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { freePort } from "../support/free-port.ts";
import { ClusterNode } from "../support/cluster.ts";
import { call } from "../support/http.ts";
import { TEST_DATABASE_URL, dropSchema, postgresUnavailable, uniqueSchema } from "../support/postgres.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

const unavailable = await postgresUnavailable();
const skip = unavailable;
const schema = uniqueSchema();
/** Short timeouts, so a stalled database fails the requests within a test's patience. */
const TIMEOUT_MS = 800;
/** A refused connection must fail far sooner than any timeout: nothing should wait for one. */
const FAST_MS = TIMEOUT_MS / 2;
const ADMIN = { email: "ops@example.com", password: "ops-password" };
const PLAYER = { email: "ada@example.com", password: "ada-password" };
const config = loadSecurityConfig({ ADMIN_EMAILS: ADMIN.email, AUTH_REQUESTS_PER_MINUTE: "10000", JWT_SECRET: "database-faults-test-secret-of-enough-length" });
/** What the in-process pool logged, and a way to await the next line. */
const databaseLog = { lines: [] as string[], waiting: [] as (() => void)[] };
const nextDatabaseLogLine = (): Promise<void> => new Promise((resolve) => databaseLog.waiting.push(resolve));
let proxy: TcpProxy;
let store: SqlUserStore;
let server: LockstepServer;
let adminToken: string;
let playerToken: string;

/** The test database's URL, reached through the proxy instead of directly. */
function proxiedUrl(port: number, search = ""): string {
  const url = new URL(TEST_DATABASE_URL);
  url.host = `127.0.0.1:${port}`;
  url.search = search;
  return url.toString();
}

before(async () => {
  if (skip !== undefined) return;
  const target = new URL(TEST_DATABASE_URL);
  proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
  store = await SqlUserStore.open(
    await openPostgres({
      url: proxiedUrl(proxy.port),
      schema,
      connectTimeoutMs: TIMEOUT_MS,
      statementTimeoutMs: TIMEOUT_MS,
      log: (line) => {
        databaseLog.lines.push(line);
        for (const wake of databaseLog.waiting.splice(0)) wake();
      },
    }),
  );
  server = await startDemoServer({ store, config, port: 0, host: "127.0.0.1" });
  adminToken = (await new LockstepClient(server.url).register(ADMIN.email, ADMIN.password)).token;
  playerToken = (await new LockstepClient(server.url).register(PLAYER.email, PLAYER.password)).token;
});

after(async () => {
  if (skip !== undefined) return;
  proxy.forward();
  await server?.close();
  await store?.close();
  await proxy.close();
  await dropSchema(schema);
});

/** Every kind of request that needs the user database, as a client or an operator sends it. */
function requestsNeedingTheDatabase(): Record<string, () => Promise<{ status: number; body: Record<string, unknown> }>> {
  return {
    login: () => call(server.url, "/auth/login", { body: PLAYER }),
    register: () => call(server.url, "/auth/register", { body: { email: "new@example.com", password: "new-password" } }),
    anonymous: () => call(server.url, "/auth/anonymous", { body: {} }),
    refresh: () => call(server.url, "/auth/refresh", { method: "POST", token: playerToken }),
    logout: () => call(server.url, "/auth/logout", { method: "POST", token: playerToken }),
    userdata: () => call(server.url, "/auth/userdata", { token: playerToken }),
    admin: () => call(server.url, "/admin/rooms", { token: adminToken }),
    metrics: () => call(server.url, "/metrics", { token: adminToken }),
  };
}

/** How a join fails: the SDK's error code and message, and how long it took. */
async function failedJoin(): Promise<{ code: number; message: string; ms: number }> {
  const started = performance.now();
  try {
    const match = await new LockstepClient(server.url, { token: playerToken }).joinOrCreate("arena");
    await match.leave();
  } catch (error) {
    return { code: (error as { code: number }).code, message: (error as Error).message, ms: performance.now() - started };
  }
  throw new Error("the join was accepted without a user database");
}

/** Asserts a clear 503 that says nothing about where the database is or how it failed. */
function assertUnavailable(name: string, response: { status: number; body: Record<string, unknown> }): void {
  assert.equal(response.status, 503, `${name}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body.error, "database_unavailable", name);
  assert.match(String(response.body.message), /user database is unavailable/, name);
  const text = JSON.stringify(response.body);
  for (const secret of [String(proxy.port), "127.0.0.1", "ECONN", "postgres", "stack"])
    assert.ok(!text.includes(secret), `${name} reveals "${secret}": ${text}`);
}

async function assertEverythingAnswers503(withinMs: number): Promise<void> {
  for (const [name, send] of Object.entries(requestsNeedingTheDatabase())) {
    const started = performance.now();
    const response = await send();
    const ms = performance.now() - started;
    assertUnavailable(name, response);
    assert.ok(ms < withinMs, `${name} took ${Math.round(ms)} ms (limit ${withinMs} ms)`);
  }
  const join = await failedJoin();
  assert.equal(join.code, 503, join.message);
  assert.match(join.message, /user database is unavailable/);
  assert.ok(join.ms < withinMs, `the join took ${Math.round(join.ms)} ms (limit ${withinMs} ms)`);
}

async function assertRecovered(): Promise<void> {
  const login = await call(server.url, "/auth/login", { body: PLAYER });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const match = await new LockstepClient(server.url, { token: login.body.token as string }).joinOrCreate("arena");
  await match.leave();
}

test("PostgreSQL down (connections refused): every route and join that needs it answers 503 database_unavailable at once, then recovers", {
  skip,
  timeout: 60_000,
}, async () => {
  proxy.refuse();
  try {
    await assertEverythingAnswers503(FAST_MS);
  } finally {
    proxy.forward();
  }
  await assertRecovered();
});

test("PostgreSQL stalled (nothing answers): requests and joins fail with 503 within the configured timeouts instead of hanging, then recover", {
  skip,
  timeout: 60_000,
}, async () => {
  // Warm connections, so the stall catches both pooled connections (statement timeout) and new ones (connect timeout).
  await assertRecovered();
  proxy.stall();
  try {
    await assertEverythingAnswers503(3 * TIMEOUT_MS);
  } finally {
    proxy.forward();
  }
  await assertRecovered();
});

test("PostgreSQL restart (every connection reset) is logged and survived by a server process, which keeps serving", { skip, timeout: 60_000 }, async () => {
  const restartProxy = await TcpProxy.start(new URL(TEST_DATABASE_URL).hostname, Number(new URL(TEST_DATABASE_URL).port || 5432));
  const node = new ClusterNode(await freePort(), {
    DATABASE_URL: proxiedUrl(restartProxy.port, `?options=${encodeURIComponent(`-c search_path=${schema}`)}`),
    JWT_SECRET: "restart-test-secret-with-enough-characters",
    AUTH_REQUESTS_PER_MINUTE: "1000",
  });
  try {
    await node.start();
    const user = { email: "restart@example.com", password: "restart-password" };
    assert.equal((await call(node.url, "/auth/register", { body: user })).status, 200);
    assert.ok(restartProxy.connections > 0, "the server keeps idle connections to the database");
    restartProxy.cut();
    await node.waitForOutput(/user database: an idle connection failed/);
    assert.equal((await call(node.url, "/health")).status, 200, node.output);
    const login = await call(node.url, "/auth/login", { body: user });
    assert.equal(login.status, 200, `${JSON.stringify(login.body)}\n${node.output}`);
    assert.doesNotMatch(node.output, /Unhandled 'error' event/);
  } finally {
    await node.stop("SIGKILL");
    await restartProxy.close();
  }
});

test("the in-process pool logs a reset idle connection in one line and replaces it", { skip, timeout: 30_000 }, async () => {
  await assertRecovered();
  const logged = databaseLog.lines.length;
  assert.ok(proxy.connections > 0);
  const reported = nextDatabaseLogLine();
  proxy.cut();
  await reported;
  await assertRecovered();
  const lines = databaseLog.lines.slice(logged);
  assert.match(lines[0]!, /user database: an idle connection failed/);
  for (const line of lines) assert.doesNotMatch(line, /\n/, "one line per failure");
});
