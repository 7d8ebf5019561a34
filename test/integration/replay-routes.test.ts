import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import express from "express";
import { installAccounts } from "../../src/accounts/accounts.ts";
import { DatabaseUnavailableError } from "../../src/accounts/database-errors.ts";
import { mountReplayRoutes } from "../../src/accounts/replay-routes.ts";
import { openReplayStore, type SqlReplayStore } from "../../src/accounts/replay-store.ts";
import { Role } from "../../src/accounts/roles.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { issueToken } from "../../src/accounts/tokens.ts";
import { SqlUserStore, type UserRecord } from "../../src/accounts/user-store.ts";
import type { ReplayStore, ReplaySummary } from "../../src/lockstep/replay-store.ts";
import { readReplayDocument } from "../../src/protocol/replay-format.ts";
import { jsonErrorHandler } from "../../src/server/http/json-errors.ts";
import { isoAt, replayFixture, type ReplayFixture } from "../contract/replay-store.contract.ts";
import { call, signJwt } from "../support/http.ts";

const JWT_SECRET = "replay-routes-test-secret-with-enough-characters";
const TOKEN_TTL_SECONDS = 3600;

/** Serves `mountReplayRoutes` on an ephemeral port, behind the server's JSON error handler. */
async function serve(store: SqlUserStore, replays: ReplayStore): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  mountReplayRoutes(app, { store, replays });
  app.use(jsonErrorHandler(() => undefined));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A download: status, headers and the body's bytes. */
async function download(url: string, token?: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

let users: SqlUserStore;
let replays: SqlReplayStore;
let served: { url: string; close(): Promise<void> };
const people: Record<"ada" | "bob" | "cy" | "boss", { user: UserRecord; token: string }> = {} as never;
/** By name: ada and bob played together; ada alone; bob alone, public; bob alone, private; ada with an awkward id. */
const stored: Record<"adaBob" | "adaSolo" | "bobPublic" | "bobPrivate" | "oddId", ReplayFixture> = {} as never;

/** What a `next_before` cursor is made of: it goes into a query string without escaping. */
const URL_SAFE = /^[A-Za-z0-9_-]+$/;

const ids = (body: Record<string, unknown>): string[] => (body.replays as ReplaySummary[]).map((summary) => summary.id);

before(async () => {
  users = await SqlUserStore.open(await openEmbeddedDatabase());
  installAccounts({ store: users, config: loadSecurityConfig({ JWT_SECRET }) });
  replays = await openReplayStore(users);
  for (const name of ["ada", "bob", "cy", "boss"] as const) {
    const user = await users.create({ name, anonymous: true, role: name === "boss" ? Role.ADMIN : Role.PLAYER });
    people[name] = { user, token: await issueToken(user, TOKEN_TTL_SECONDS) };
  }
  const uid = (name: keyof typeof people): string => people[name].user.id;
  stored.adaBob = await replayFixture({ id: "ada-bob", roomName: "arena", endedAt: isoAt(2024, 10), players: [uid("ada"), uid("bob")] });
  stored.adaSolo = await replayFixture({ id: "ada-solo", roomName: "duel", endedAt: isoAt(2024, 20), players: [uid("ada")] });
  stored.bobPublic = await replayFixture({ id: "bob-public", roomName: "arena", endedAt: isoAt(2024, 30), players: [uid("bob")], public: true });
  stored.bobPrivate = await replayFixture({ id: "bob-private", roomName: "duel", endedAt: isoAt(2024, 40), players: [uid("bob")] });
  stored.oddId = await replayFixture({ id: 'odd id/"x"', roomName: "odd", endedAt: isoAt(2023, 0), players: [uid("ada")] });
  for (const fixture of Object.values(stored)) await replays.save(fixture);
  served = await serve(users, replays);
});

after(async () => {
  await served?.close();
  await users?.close();
});

test("every route needs a valid, unrevoked token: 401 with the token's problem otherwise", async () => {
  const { id, name, role, anonymous, tokenVersion } = people.ada.user;
  const expired = signJwt({ id, name, role, anonymous, tv: tokenVersion, exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET);
  const forged = signJwt({ id: people.boss.user.id, name: "boss", role: "admin", anonymous: true, tv: 0 }, "another-secret-that-is-long-enough-to-look-real");
  const cases: [string | undefined, string][] = [
    [undefined, "missing"],
    ["not-a-token", "malformed"],
    [forged, "bad_signature"],
    [expired, "expired"],
  ];
  const requests = [
    { path: "/replays", method: "GET" },
    { path: "/replays/ada-bob", method: "GET" },
    { path: "/replays/ada-bob", method: "DELETE" },
  ];
  // As the server's own page sends them: a DELETE with neither a token nor browser headers is refused as cross-site first (below).
  const headers = { "sec-fetch-site": "same-origin" };
  for (const [token, problem] of cases) {
    for (const { path, method } of requests) {
      const response = await call(served.url, path, { method, headers, ...(token !== undefined ? { token } : {}) });
      assert.equal(response.status, 401, `${method} ${path} with ${problem}`);
      assert.equal(response.body.error, problem, `${method} ${path}`);
      assert.equal(typeof response.body.message, "string");
    }
  }
  // A token issued before its user logged out everywhere.
  const revokedUser = await users.create({ name: "gone", anonymous: true });
  const revoked = await issueToken(revokedUser, TOKEN_TTL_SECONDS);
  await users.revokeTokens(revokedUser.id);
  const response = await call(served.url, "/replays", { token: revoked });
  assert.deepEqual([response.status, response.body.error], [401, "revoked"]);
  const bare = await call(served.url, "/replays/ada-bob", { method: "DELETE" });
  assert.deepEqual([bare.status, bare.body.error], [403, "cross_origin_refused"]);
  assert.ok(await replays.get("ada-bob"), "nothing was deleted");
});

test("a player lists the matches they played in, newest first, and public ones only when asking", async () => {
  const own = await call(served.url, "/replays", { token: people.ada.token });
  assert.equal(own.status, 200);
  assert.equal(own.headers.get("cache-control"), "private, no-store");
  assert.deepEqual(own.body, { replays: [stored.adaSolo.summary, stored.adaBob.summary, stored.oddId.summary], next_before: null });
  const withPublic = await call(served.url, "/replays?public=1", { token: people.ada.token });
  assert.deepEqual(ids(withPublic.body), ["bob-public", "ada-solo", "ada-bob", 'odd id/"x"']);
  const withoutPublic = await call(served.url, "/replays?public=0", { token: people.ada.token });
  assert.deepEqual(ids(withoutPublic.body), ["ada-solo", "ada-bob", 'odd id/"x"']);
  assert.deepEqual(ids((await call(served.url, "/replays", { token: people.bob.token })).body), ["bob-private", "bob-public", "ada-bob"]);
  assert.deepEqual((await call(served.url, "/replays", { token: people.cy.token })).body, { replays: [], next_before: null });
  assert.deepEqual(ids((await call(served.url, "/replays?public=1", { token: people.cy.token })).body), ["bob-public"]);
  const arena = await call(served.url, "/replays?public=1&room=arena", { token: people.ada.token });
  assert.deepEqual(ids(arena.body), ["bob-public", "ada-bob"]);
  const since = await call(served.url, `/replays?since=${encodeURIComponent(isoAt(2024, 20))}`, { token: people.ada.token });
  assert.deepEqual(ids(since.body), ["ada-solo"]);
});

test("a player may filter by their own uid only: another player's is refused with 403", async () => {
  const self = await call(served.url, `/replays?player=${people.bob.user.id}&public=1`, { token: people.bob.token });
  assert.deepEqual(ids(self.body), ["bob-private", "bob-public", "ada-bob"]);
  for (const other of [people.ada.user.id, people.boss.user.id, "someone"]) {
    const response = await call(served.url, `/replays?player=${encodeURIComponent(other)}&public=1`, { token: people.cy.token });
    assert.deepEqual([response.status, response.body.error], [403, "forbidden"], other);
  }
});

test("an admin lists every replay, filters by any player or room, and pages back with next_before", async () => {
  const all = await call(served.url, "/replays", { token: people.boss.token });
  assert.deepEqual(ids(all.body), ["bob-private", "bob-public", "ada-solo", "ada-bob", 'odd id/"x"']);
  assert.deepEqual(ids((await call(served.url, `/replays?player=${people.bob.user.id}`, { token: people.boss.token })).body), [
    "bob-private",
    "bob-public",
    "ada-bob",
  ]);
  assert.deepEqual(ids((await call(served.url, "/replays?room=duel", { token: people.boss.token })).body), ["bob-private", "ada-solo"]);
  const first = await call(served.url, "/replays?limit=2", { token: people.boss.token });
  assert.deepEqual(first.body.replays, [stored.bobPrivate.summary, stored.bobPublic.summary]);
  assert.match(String(first.body.next_before), URL_SAFE, "a cursor that goes into a URL as it is");
  const second = await call(served.url, `/replays?limit=2&before=${first.body.next_before}`, { token: people.boss.token });
  assert.deepEqual(second.body.replays, [stored.adaSolo.summary, stored.adaBob.summary]);
  const last = await call(served.url, `/replays?limit=2&before=${second.body.next_before}`, { token: people.boss.token });
  assert.deepEqual(last.body, { replays: [stored.oddId.summary], next_before: null }, "a short page is the last");
  // A plain ISO time still pages: strictly older.
  const byTime = await call(served.url, `/replays?before=${encodeURIComponent(stored.adaSolo.summary.ended_at)}`, { token: people.boss.token });
  assert.deepEqual(ids(byTime.body), ["ada-bob", 'odd id/"x"']);
});

test("paging with next_before lists every replay once, even several that ended in the same millisecond as a page's last", async () => {
  const endedAt = isoAt(2021, 0);
  const tied = await Promise.all(["tie-a", "tie-b", "tie-c", "tie-d", "tie-e"].map((id) => replayFixture({ id, roomName: "tied", endedAt })));
  for (const fixture of tied) await replays.save(fixture);
  const seen: string[] = [];
  let before: unknown = null;
  for (let page = 0; page < 5; page++) {
    const query = before === null ? "" : `&before=${before}`;
    const response = await call(served.url, `/replays?room=tied&limit=2${query}`, { token: people.boss.token });
    assert.equal(response.status, 200);
    seen.push(...ids(response.body));
    before = response.body.next_before;
    if (before === null) break;
  }
  assert.deepEqual(seen, ["tie-e", "tie-d", "tie-c", "tie-b", "tie-a"]);
  assert.equal(before, null);
  for (const fixture of tied) await replays.delete(fixture.summary.id);
});

test("a caller refused a replay costs no read of its document", async () => {
  const documentReads: string[] = [];
  // The real store, counting the reads of whole documents.
  const counting: ReplayStore = {
    save: (replay) => replays.save(replay),
    list: (query) => replays.list(query),
    summary: (id) => replays.summary(id),
    get: (id) => {
      documentReads.push(id);
      return replays.get(id);
    },
    delete: (id) => replays.delete(id),
    deleteEndedBefore: (time) => replays.deleteEndedBefore(time),
  };
  const countingServer = await serve(users, counting);
  try {
    const refused = await call(countingServer.url, "/replays/bob-private", { token: people.ada.token });
    assert.deepEqual([refused.status, refused.body.error], [403, "forbidden"]);
    const unknown = await call(countingServer.url, "/replays/no-such-replay", { token: people.ada.token });
    assert.equal(unknown.status, 404);
    assert.deepEqual(documentReads, [], "neither the refused nor the unknown replay was read");
    const allowed = await download(`${countingServer.url}/replays/bob-private`, people.bob.token);
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.bytes, stored.bobPrivate.document);
    assert.deepEqual(documentReads, ["bob-private"], "the allowed one was");
  } finally {
    await countingServer.close();
  }
});

test("a player downloads a match they played in: the exact document bytes, as a private file", async () => {
  const response = await download(`${served.url}/replays/ada-bob`, people.ada.token);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/vnd.colyseus-lockstep.replay");
  assert.equal(response.headers.get("content-disposition"), 'attachment; filename="replay-ada-bob.lsrp"');
  assert.equal(response.headers.get("cache-control"), "private, no-store");
  assert.equal(response.headers.get("content-length"), String(stored.adaBob.document.byteLength));
  assert.deepEqual(response.bytes, stored.adaBob.document);
  assert.deepEqual((await readReplayDocument(response.bytes)).frames, stored.adaBob.frames);
  const odd = await download(`${served.url}/replays/${encodeURIComponent('odd id/"x"')}`, people.ada.token);
  assert.equal(odd.status, 200);
  assert.equal(odd.headers.get("content-disposition"), 'attachment; filename="replay-odd_id__x_.lsrp"', "the file name keeps safe characters only");
  assert.deepEqual(odd.bytes, stored.oddId.document);
});

test("another player's private replay is refused with 403; a public one, and any one for an admin, is served", async () => {
  for (const [id, name] of [
    ["bob-private", "ada"],
    ["ada-solo", "bob"],
    ["ada-bob", "cy"],
  ] as const) {
    const response = await call(served.url, `/replays/${id}`, { token: people[name].token });
    assert.deepEqual([response.status, response.body.error], [403, "forbidden"], `${name} → ${id}`);
  }
  const publicOne = await download(`${served.url}/replays/bob-public`, people.cy.token);
  assert.equal(publicOne.status, 200);
  assert.deepEqual(publicOne.bytes, stored.bobPublic.document);
  const asAdmin = await download(`${served.url}/replays/bob-private`, people.boss.token);
  assert.equal(asAdmin.status, 200);
  assert.deepEqual(asAdmin.bytes, stored.bobPrivate.document);
});

test("an unknown replay is 404 replay_not_found, and so is an overlong id", async () => {
  for (const id of ["no-such-replay", "r".repeat(128), "r".repeat(129)]) {
    const response = await call(served.url, `/replays/${id}`, { token: people.boss.token });
    assert.deepEqual([response.status, response.body.error], [404, "replay_not_found"], id);
  }
});

test("DELETE is for admins: 403 for a player, even one who played; 200 then 404 for an admin", async () => {
  const extra = await replayFixture({ id: "to-delete", roomName: "arena", endedAt: isoAt(2022, 0), players: [people.ada.user.id] });
  await replays.save(extra);
  const byPlayer = await call(served.url, "/replays/to-delete", { method: "DELETE", token: people.ada.token });
  assert.deepEqual([byPlayer.status, byPlayer.body.error], [403, "forbidden"]);
  assert.ok(await replays.get("to-delete"), "still stored");
  const byAdmin = await call(served.url, "/replays/to-delete", { method: "DELETE", token: people.boss.token });
  assert.deepEqual([byAdmin.status, byAdmin.body], [200, { ok: true }]);
  assert.equal(await replays.get("to-delete"), undefined);
  assert.equal((await call(served.url, "/replays/to-delete", { token: people.boss.token })).status, 404);
  const again = await call(served.url, "/replays/to-delete", { method: "DELETE", token: people.boss.token });
  assert.deepEqual([again.status, again.body.error], [404, "replay_not_found"]);
  const overlong = await call(served.url, `/replays/${"r".repeat(129)}`, { method: "DELETE", token: people.boss.token });
  assert.deepEqual([overlong.status, overlong.body.error], [404, "replay_not_found"]);
});

test("a DELETE another site could have sent is refused before anything is checked or deleted", async () => {
  const forged: Record<string, string>[] = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }];
  for (const headers of forged) {
    const response = await call(served.url, "/replays/bob-private", { method: "DELETE", token: people.boss.token, headers });
    assert.deepEqual([response.status, response.body.error], [403, "cross_origin_refused"], JSON.stringify(headers));
  }
  assert.ok(await replays.get("bob-private"), "still stored");
  // The server's own page (same origin) may.
  await replays.save(await replayFixture({ id: "same-origin", endedAt: isoAt(2022, 1), players: [] }));
  const host = new URL(served.url).host;
  const own = await call(served.url, "/replays/same-origin", { method: "DELETE", token: people.boss.token, headers: { origin: `http://${host}` } });
  assert.deepEqual([own.status, own.body], [200, { ok: true }]);
});

test("a bad listing query is answered 400 invalid_request", async () => {
  const bad = [
    "limit=0",
    "limit=101",
    "limit=-1",
    "limit=2.5",
    "limit=ten",
    "limit=",
    "limit=1&limit=2",
    "before=yesterday",
    "before=2024-13-01T00:00:00Z",
    "before=2024-01-01T10:00:00",
    "before=",
    // Cursors that are not ones this server wrote: no separator, an empty id, a time that is not one, not base64url, padded.
    `before=${Buffer.from("2024-01-01T00:00:00.000Z").toString("base64url")}`,
    `before=${Buffer.from("2024-01-01T00:00:00.000Z|").toString("base64url")}`,
    `before=${Buffer.from("soon|ada-bob").toString("base64url")}`,
    `before=${Buffer.from(`2024-01-01T00:00:00.000Z|${"r".repeat(129)}`).toString("base64url")}`,
    "before=a+b/c",
    `before=${Buffer.from("2024-01-01T00:00:00.000Z|a").toString("base64")}=`,
    "since=last-week",
    "since=",
    "room=",
    `room=${"r".repeat(129)}`,
    "room=a&room=b",
    "player=",
    `player=${"p".repeat(129)}`,
    "public=yes",
    "public=",
  ];
  for (const query of bad) {
    const response = await call(served.url, `/replays?${query}`, { token: people.boss.token });
    assert.equal(response.status, 400, query);
    assert.equal(response.body.error, "invalid_request", query);
    assert.equal(typeof response.body.message, "string", query);
  }
  const longest = await call(served.url, `/replays?room=${"r".repeat(128)}&player=${"p".repeat(128)}&limit=100`, { token: people.boss.token });
  assert.deepEqual([longest.status, longest.body], [200, { replays: [], next_before: null }]);
});

test("a failing store reaches the server's error handler: 503 when the database is unavailable, 500 otherwise", async () => {
  const asked: string[] = [];
  const failing: ReplayStore = {
    save: () => Promise.reject(new Error("unused")),
    list: () => Promise.reject(new DatabaseUnavailableError(new Error("connect ECONNREFUSED 10.0.0.5:5432"))),
    summary: (id) => {
      asked.push(id);
      return Promise.reject(new Error("relation does not exist"));
    },
    get: () => Promise.reject(new Error("unused")),
    delete: () => Promise.reject(new Error("relation does not exist")),
    deleteEndedBefore: () => Promise.reject(new Error("unused")),
  };
  const broken = await serve(users, failing);
  try {
    const listing = await call(broken.url, "/replays", { token: people.ada.token });
    assert.deepEqual([listing.status, listing.body.error], [503, "database_unavailable"]);
    assert.doesNotMatch(listing.text, /10\.0\.0\.5/);
    const replay = await call(broken.url, "/replays/some-id", { token: people.ada.token });
    assert.deepEqual([replay.status, replay.body.error], [500, "internal_error"]);
    const deleted = await call(broken.url, "/replays/some-id", { method: "DELETE", token: people.boss.token });
    assert.deepEqual([deleted.status, deleted.body.error], [500, "internal_error"]);
    const overlong = await call(broken.url, `/replays/${"a".repeat(129)}`, { token: people.ada.token });
    assert.equal(overlong.status, 404);
    assert.deepEqual(asked, ["some-id"], "an overlong id is answered without asking the store");
  } finally {
    await broken.close();
  }
});
