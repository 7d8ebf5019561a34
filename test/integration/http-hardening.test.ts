import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { call } from "../support/http.ts";

const ADMIN = { email: "ops@example.com", password: "ops-password" };
const config = loadSecurityConfig({ ADMIN_EMAILS: ADMIN.email, AUTH_REQUESTS_PER_MINUTE: "10000", JWT_SECRET: "http-hardening-test-secret-of-enough-length" });
let store: SqlUserStore;
let server: LockstepServer;
let adminToken: string;

before(async () => {
  store = await SqlUserStore.open(await openEmbeddedDatabase());
  server = await startDemoServer({ store, config, port: 0, host: "127.0.0.1" });
  adminToken = (await new LockstepClient(server.url).register(ADMIN.email, ADMIN.password)).token;
});

after(async () => {
  await server.close();
  await store.close();
});

/** What a browser adds to a request made by a page of another origin (here: another port of the same host). */
const otherOrigin = (): Record<string, string> => ({ origin: "http://127.0.0.1:1", "sec-fetch-site": "same-site" });
/** What a browser adds to a request made by this server's own page. */
const ownPage = (): Record<string, string> => ({ origin: server.url.replace("localhost", "127.0.0.1"), "sec-fetch-site": "same-origin" });

/** A stack trace or an HTML error page in a response body. */
const LEAK = /\n\s+at |<html|<pre>|node_modules/i;

test("/auth/userdata refuses a token revoked by logout, like every other route", async () => {
  const client = new LockstepClient(server.url);
  const session = await client.loginAnonymous({ name: "Revoked" });
  assert.equal((await call(server.url, "/auth/userdata", { token: session.token })).status, 200);
  await client.logout();
  const after = await call(server.url, "/auth/userdata", { token: session.token });
  assert.deepEqual([after.status, after.body.error], [401, "revoked"]);
});

test("/metrics?token= scopes its cookie to /metrics and lands on /metrics, never on a protocol-relative //", async () => {
  const visit = await call(server.url, `/metrics?token=${adminToken}`, { redirect: "manual" });
  assert.equal(visit.status, 303);
  assert.equal(visit.headers.get("location"), "/metrics");
  const cookie = visit.headers.get("set-cookie")!;
  assert.match(cookie, /;\s*Path=\/metrics(;|$)/i);
  assert.match(cookie, /HttpOnly/i);
  const scraped = await call(server.url, "/metrics", { cookie: cookie.split(";")[0]! });
  assert.equal(scraped.status, 200);
  assert.match(scraped.body.text as string, /lockstep_frames_closed_total/);

  const monitorVisit = await call(server.url, `/monitor/?token=${adminToken}&view=rooms`, { redirect: "manual" });
  assert.equal(monitorVisit.headers.get("location"), "/monitor/?view=rooms", "other parameters are kept, the token is not");
  assert.match(monitorVisit.headers.get("set-cookie")!, /;\s*Path=\/monitor(;|$)/i);
});

test("admin routes refuse requests another origin could forge; the server's own pages and scripts with a token still work", async () => {
  const player = new LockstepClient(server.url);
  await player.loginAnonymous({ name: "Target" });
  const match = await player.joinOrCreate("arena");
  const kickPath = `/admin/rooms/${match.roomId}/kick`;
  const body = { uid: match.you?.uid ?? player.user!.id };

  for (const headers of [otherOrigin(), { origin: "https://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }]) {
    const forged = await call(server.url, kickPath, { body, token: adminToken, headers });
    assert.deepEqual([forged.status, forged.body.error], [403, "cross_origin_refused"], JSON.stringify(headers));
  }
  const cookie = (await call(server.url, `/admin/rooms?token=${adminToken}`, { redirect: "manual" })).headers.get("set-cookie")!.split(";")[0]!;
  const cookieOnly = await call(server.url, kickPath, { body, cookie });
  assert.deepEqual([cookieOnly.status, cookieOnly.body.error], [403, "cross_origin_refused"], "a cookie alone does not show who sent the request");
  const inspected = await call(server.url, `/admin/rooms/${match.roomId}`, { token: adminToken });
  assert.equal((inspected.body.players as unknown[]).length, 1, "no refused request kicked the player");

  const closed = new Promise<number>((resolve) => match.onClose(resolve));
  const fromOwnPage = await call(server.url, kickPath, { body, cookie, headers: ownPage() });
  assert.equal(fromOwnPage.status, 200, JSON.stringify(fromOwnPage.body));
  assert.equal(await closed, 4000);
  const script = await call(server.url, "/admin/rooms", { token: adminToken });
  assert.equal(script.status, 200, "curl and scripts send a token and no Origin");
});

test("the monitor's API, which can call room methods, refuses cross-site use of the operator's cookie", async () => {
  const visit = await call(server.url, `/monitor/?token=${adminToken}`, { redirect: "manual" });
  const cookie = visit.headers.get("set-cookie")!.split(";")[0]!;
  const call_ = "/monitor/api/room/call?roomId=x&method=endMatch&args=%5B%5D";
  for (const headers of [otherOrigin(), { "sec-fetch-site": "cross-site" }, {}]) {
    const forged = await call(server.url, call_, { cookie, headers });
    assert.deepEqual([forged.status, forged.body.error], [403, "cross_origin_refused"], JSON.stringify(headers));
  }
  const page = await call(server.url, "/monitor/api", { cookie, headers: { "sec-fetch-site": "same-origin" } });
  assert.equal(page.status, 200, "the monitor's own page keeps working");
  assert.ok(Array.isArray(page.body.rooms));
  const dashboard = await call(server.url, "/monitor/", { cookie, headers: { "sec-fetch-site": "cross-site" } });
  assert.equal(dashboard.status, 200, "a link to the dashboard page itself still opens");
});

test("login takes as long for an unknown email as for a wrong password, and says the same", async () => {
  const known = { email: "timing@example.com", password: "right-password" };
  await new LockstepClient(server.url).register(known.email, known.password);
  const attempt = async (email: string): Promise<{ ms: number; body: Record<string, unknown> }> => {
    const started = performance.now();
    const response = await call(server.url, "/auth/login", { body: { email, password: "wrong-password" } });
    const ms = performance.now() - started;
    assert.equal(response.status, 401);
    return { ms, body: response.body };
  };
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  await attempt(known.email);
  await attempt("warm-up@example.com");
  for (let i = 0; i < 7; i++) {
    knownTimes.push((await attempt(known.email)).ms);
    unknownTimes.push((await attempt(`nobody-${i}@example.com`)).ms);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const ratio = median(unknownTimes) / median(knownTimes);
  assert.ok(ratio > 0.5 && ratio < 2, `unknown ${median(unknownTimes).toFixed(1)} ms vs known ${median(knownTimes).toFixed(1)} ms`);
  assert.deepEqual((await attempt("nobody@example.com")).body, (await attempt(known.email)).body);
});

test("password reset and email confirmation answer 404 not_supported, and never echo a token into a page", async () => {
  const script = encodeURIComponent('"><script>alert(1)</script>');
  for (const [method, path] of [
    ["GET", `/auth/reset-password?token=${script}`],
    ["POST", "/auth/reset-password"],
    ["POST", "/auth/forgot-password"],
    ["GET", `/auth/confirm-email?token=${script}`],
  ] as const) {
    const response = await call(server.url, path, method === "POST" ? { body: { email: ADMIN.email, token: "t", password: "whatever1" } } : {});
    assert.deepEqual([response.status, response.body.error], [404, "not_supported"], `${method} ${path}`);
    assert.doesNotMatch(response.text, /<script/i);
  }
});

test("a 7,000-deep JSON body is refused with 400 body_too_deep on every JSON route, with no stack trace", async () => {
  const deep = "[".repeat(7000) + "]".repeat(7000);
  const routes = ["/auth/login", "/auth/register", "/auth/anonymous", "/auth/refresh", "/admin/rooms/x/end", "/admin/rooms/x/kick"];
  for (const path of routes) {
    const response = await call(server.url, path, { rawBody: deep, token: adminToken });
    assert.deepEqual([response.status, response.body.error], [400, "body_too_deep"], `${path}: ${response.text.slice(0, 200)}`);
    assert.doesNotMatch(response.text, LEAK, path);
  }
  // Colyseus serves matchmaking itself; the join check refuses such options before any room is made.
  const started = performance.now();
  const matchmaking = await call(server.url, "/matchmake/joinOrCreate/arena", { rawBody: deep, token: adminToken });
  assert.equal(matchmaking.status, 400, matchmaking.text.slice(0, 200));
  assert.match(String(matchmaking.body.error), /nest at most 32 levels/);
  assert.ok(performance.now() - started < 1000, "refused at once, not after retries");
  assert.doesNotMatch(matchmaking.text, LEAK);
  const oversized = await call(server.url, "/admin/rooms/x/end", { body: { result: "x".repeat(64 * 1024) }, token: adminToken });
  assert.deepEqual([oversized.status, oversized.body.error], [413, "body_too_large"]);
  assert.doesNotMatch(oversized.text, LEAK);
});
