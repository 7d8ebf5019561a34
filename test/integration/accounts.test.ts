import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { monitor } from "@colyseus/monitor";
import express from "express";
import { LockstepClient, type LockstepMatch } from "../../client-sdk/src/index.ts";
import { accountsTokenVerifier, installAccounts, mountAuthRoutes } from "../../src/accounts/accounts.ts";
import { runAccountsCli } from "../../demo/accounts-commands.ts";
import { requirePermission } from "../../src/accounts/admin-gate.ts";
import { Permission } from "../../src/accounts/roles.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { createLockstepServer, type LockstepServer } from "../../src/server/create-server.ts";
import { call, rejectionOf, signJwt } from "../support/http.ts";
import { GatedRoom } from "../support/rooms.ts";
import { serverRoom } from "../support/server.ts";

const config = loadSecurityConfig({
  ADMIN_EMAILS: "boss@example.com",
  AUTH_REQUESTS_PER_MINUTE: "1000",
  JWT_SECRET: "accounts-test-secret-with-enough-characters",
});
let store: SqlUserStore;
let server: LockstepServer;

before(async () => {
  store = await SqlUserStore.open(await openEmbeddedDatabase());
  installAccounts({ store, config });
  server = await createLockstepServer({
    port: 0,
    host: "127.0.0.1",
    rooms: { gated: GatedRoom },
    auth: accountsTokenVerifier(store),
    routes: (app) => {
      mountAuthRoutes(app, { store, config });
      app.use("/monitor", requirePermission(store, Permission.MONITOR, { secureCookie: false }), monitor());
      app.get("/", (_request, response) => void response.send("ok"));
    },
  });
});
after(async () => {
  await server.close();
  await store.close();
});

test("register, log in, join: the player's uid is the account id, whatever the client puts in options or payloads", async () => {
  const registered = await call(server.url, "/auth/register", { body: { email: "ada@example.com", password: "correct horse", options: { name: "Ada" } } });
  assert.equal(registered.status, 200);
  const adaId = (registered.body.user as { id: string }).id;
  assert.equal((registered.body.user as { role: string }).role, "player");
  assert.equal("password" in (registered.body.user as object), false, "no password hash in responses");

  const ada = new LockstepClient(server.url);
  const session = await ada.login("ADA@example.com", "correct horse");
  assert.equal(session.user.id, adaId);
  const guest = new LockstepClient(server.url);
  await guest.loginAnonymous({ name: "Guesty" });
  assert.equal(guest.user?.anonymous, true);

  const adaMatch: LockstepMatch<Record<string, unknown>> = await ada.joinOrCreate<GatedRoom>("gated", { uid: "forged-uid", id: "forged-id", name: "Forger" });
  const guestMatch = await guest.joinById<GatedRoom>(adaMatch.roomId);
  const started = new Promise((resolve) => adaMatch.onStart(resolve));
  adaMatch.ready();
  guestMatch.ready();
  await started;
  assert.deepEqual(adaMatch.you, { uid: adaId, slot: adaMatch.you!.slot });
  const roster = adaMatch.info!.players;
  assert.deepEqual(
    roster.find((player) => player.uid === adaId),
    { uid: adaId, slot: adaMatch.you!.slot, name: "Ada", role: "player", ready: true, connected: true },
  );
  assert.equal(roster.find((player) => player.uid === guest.user!.id)?.name, "Guesty");

  const seen = new Promise<{ uid: string; action: Record<string, unknown> }>((resolve) =>
    guestMatch.onFrame((frame) => frame.actions.length > 0 && resolve(frame.actions[0]!)),
  );
  adaMatch.sendAction({ uid: "someone-else", id: "someone-else", move: 1 });
  const action = await seen;
  assert.equal(action.uid, adaId, "the frame names the sender by its token, not by its payload");
  const observed = serverRoom<GatedRoom>(adaMatch.roomId).closedFrames.flatMap((frame) => frame.actions);
  assert.equal(observed[0]?.uid, adaId);
  await Promise.all([adaMatch.leave(), guestMatch.leave()]);
});

test("bad credentials and bad bodies are refused with the right status and message", async () => {
  await call(server.url, "/auth/register", { body: { email: "bob@example.com", password: "hunter22" } });
  const wrongPassword = await call(server.url, "/auth/login", { body: { email: "bob@example.com", password: "wrong-one" } });
  assert.deepEqual([wrongPassword.status, wrongPassword.body.error], [401, "invalid_credentials"]);
  const unknown = await call(server.url, "/auth/login", { body: { email: "nobody@example.com", password: "whatever" } });
  assert.deepEqual([unknown.status, unknown.body.error], [401, "invalid_credentials"], "no hint whether the email exists");
  const reused = await call(server.url, "/auth/register", { body: { email: "BOB@example.com", password: "another1" } });
  assert.deepEqual([reused.status, reused.body.error], [409, "email_already_in_use"]);
  const malformedJson = await call(server.url, "/auth/login", { rawBody: "{not json" });
  assert.deepEqual([malformedJson.status, malformedJson.body.error], [400, "malformed_json"]);
  const badEmail = await call(server.url, "/auth/register", { body: { email: "not-an-email", password: "long enough" } });
  assert.equal(badEmail.status, 400);
  assert.match(JSON.stringify(badEmail.body), /email_malformed/);
  const shortPassword = await call(server.url, "/auth/register", { body: { email: "short@example.com", password: "123" } });
  assert.equal(shortPassword.status, 400);
  assert.match(JSON.stringify(shortPassword.body), /password_too_short/);
  const missingFields = await call(server.url, "/auth/login", { body: { email: "bob@example.com" } });
  assert.equal(missingFields.status, 400);
  const oversized = await call(server.url, "/auth/login", { body: { email: "bob@example.com", password: "x".repeat(64 * 1024) } });
  assert.deepEqual([oversized.status, oversized.body.error], [413, "body_too_large"]);
  const notJson = await call(server.url, "/auth/login", { rawBody: "email=bob", contentType: "application/x-www-form-urlencoded" });
  assert.deepEqual([notJson.status, notJson.body.error], [415, "unsupported_media_type"]);
});

test("missing, malformed, forged, expired and revoked tokens are refused before a seat is taken, each with its reason", async () => {
  const joinWith = (token?: string) => new LockstepClient(server.url, token !== undefined ? { token } : {}).joinOrCreate("gated");
  const missing = await rejectionOf(joinWith());
  assert.equal(missing.code, 525);
  assert.match(missing.message, /login token is required/);

  assert.match((await rejectionOf(joinWith("not.a.token"))).message, /malformed/);
  const session = await new LockstepClient(server.url).loginAnonymous();
  const claims = JSON.parse(Buffer.from(session.token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(claims).sort(), ["anonymous", "exp", "iat", "id", "name", "role", "tv"]);

  const forged = signJwt({ ...claims, role: "admin" }, "not-the-server-secret-but-long-enough-to-look-real");
  const forgedError = await rejectionOf(joinWith(forged));
  assert.equal(forgedError.code, 525);
  assert.match(forgedError.message, /signature is invalid/);

  const expired = signJwt({ ...claims, iat: 1_000, exp: 2_000 }, config.jwtSecret);
  assert.match((await rejectionOf(joinWith(expired))).message, /expired/);

  const loggedOut = new LockstepClient(server.url);
  const old = await loggedOut.loginAnonymous();
  await loggedOut.logout();
  assert.equal(loggedOut.token, undefined);
  assert.match((await rejectionOf(joinWith(old.token))).message, /revoked/);
  const refreshed = await call(server.url, "/auth/refresh", { method: "POST", token: old.token });
  assert.deepEqual([refreshed.status, refreshed.body.error], [401, "revoked"]);
});

test("refresh issues a fresh, working token for a valid one", async () => {
  const client = new LockstepClient(server.url);
  const first = await client.loginAnonymous({ name: "Refresher" });
  const second = await client.refresh();
  assert.equal(second.user.id, first.user.id);
  assert.equal(client.token, second.token);
  const userdata = await call(server.url, "/auth/userdata", { token: second.token });
  assert.equal(userdata.status, 200);
  assert.equal((userdata.body.user as { id: string }).id, first.user.id);
});

test("the monitor: 401 without a token, 403 for players, 200 for admins; granting admin revokes old tokens", async () => {
  assert.equal((await call(server.url, "/monitor/api")).status, 401);
  const player = await new LockstepClient(server.url).register("carol@example.com", "secret-carol");
  const forbidden = await call(server.url, "/monitor/api", { token: player.token });
  assert.deepEqual([forbidden.status, forbidden.body.error], [403, "forbidden"]);

  const boss = await new LockstepClient(server.url).register("boss@example.com", "secret-boss");
  assert.equal(boss.user.role, "admin", "ADMIN_EMAILS makes this user an admin");
  const allowed = await call(server.url, "/monitor/api", { token: boss.token });
  assert.equal(allowed.status, 200);
  assert.ok(Array.isArray(allowed.body.rooms));

  const visit = await call(server.url, `/monitor/?token=${boss.token}`, { redirect: "manual" });
  assert.equal(visit.status, 303);
  const cookie = visit.headers.get("set-cookie")!;
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  assert.equal((await call(server.url, "/monitor/api", { cookie: cookie.split(";")[0]! })).status, 200);

  const granted = await runAccountsCli(["grant-admin", "carol@example.com"], store);
  assert.equal(granted.exitCode, 0);
  assert.equal((await call(server.url, "/monitor/api", { token: player.token })).status, 401, "the player-era token is revoked");
  const promoted = await new LockstepClient(server.url).login("carol@example.com", "secret-carol");
  assert.equal(promoted.user.role, "admin");
  assert.equal((await call(server.url, "/monitor/api", { token: promoted.token })).status, 200);
  assert.equal((await runAccountsCli(["grant-admin", "nobody@example.com"], store)).exitCode, 1);
});

test("responses carry security headers", async () => {
  const response = await call(server.url, "/");
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  assert.equal(response.headers.get("strict-transport-security"), null, "no HSTS over plain HTTP");
});

test("auth routes are rate-limited per client", async () => {
  const app = express();
  mountAuthRoutes(app, { store, config: { ...config, authRequestsPerMinute: 3 } });
  const httpServer: HttpServer = createServer(app);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(url, "/auth/login", { body: { email: "bob@example.com", password: "wrong-one" } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const limited = await call(url, "/auth/login", { body: { email: "bob@example.com", password: "hunter22" } });
    assert.equal(limited.body.error, "rate_limited");
    assert.ok(limited.headers.get("retry-after") !== null || limited.headers.get("ratelimit") !== null);
  } finally {
    await new Promise((resolve) => httpServer.close(resolve));
  }
});
