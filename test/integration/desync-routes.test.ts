import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import express, { type RequestHandler } from "express";
import { DatabaseUnavailableError } from "../../src/accounts/database-errors.ts";
import { SqlDesyncReportStore } from "../../src/accounts/desync-report-store.ts";
import { openEmbeddedDatabase, type SqlClient } from "../../src/accounts/sql-client.ts";
import type { DesyncReport, DesyncReportStore } from "../../src/lockstep/desync-report.ts";
import { mountAdminRoutes } from "../../src/scaling/admin-routes.ts";
import { jsonErrorHandler } from "../../src/server/http/json-errors.ts";
import { desyncReport, isoAt, summaryOf } from "../contract/desync-report-store.contract.ts";
import { call } from "../support/http.ts";

/** Lets a request with `x-test-admin: 1` through, answers 403 otherwise. */
const testGate: RequestHandler = (request, response, next) => {
  if (request.headers["x-test-admin"] === "1") next();
  else response.status(403).json({ error: "forbidden", message: "not an operator" });
};

/** What the operator's own page sends: same-origin (past the cross-site check) and through the gate. */
const OPERATOR = { "sec-fetch-site": "same-origin", "x-test-admin": "1" };

/** Serves `mountAdminRoutes` (with `store`, if given) on an ephemeral port, behind the server's JSON error handler. */
async function serve(store?: DesyncReportStore): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  mountAdminRoutes(app, { gate: testGate, ...(store !== undefined ? { desyncReports: store } : {}) });
  app.use(jsonErrorHandler(() => undefined));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** What a `next_before` cursor is made of: it goes into a query string without escaping. */
const URL_SAFE = /^[A-Za-z0-9_-]+$/;

let sql: SqlClient;
let store: SqlDesyncReportStore;
let served: { url: string; close(): Promise<void> };
/** More than a default page. */
const REPORT_COUNT = 22;
/** Newest first: the order listings return them in. */
const reports: DesyncReport[] = [];

before(async () => {
  sql = await openEmbeddedDatabase();
  store = await SqlDesyncReportStore.open(sql);
  for (let index = 0; index < REPORT_COUNT; index++) {
    const report = desyncReport({ room_id: index % 2 === 0 ? "room-even" : "room-odd", frame: 30 * index, created_at: isoAt(2024, index) });
    await store.save(report);
    reports.unshift(report);
  }
  served = await serve(store);
});

after(async () => {
  await served?.close();
  await sql?.close();
});

test("GET /admin/desyncs lists summaries newest first, 20 by default, and where the next page starts", async () => {
  const response = await call(served.url, "/admin/desyncs", { headers: OPERATOR });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(response.body.reports, reports.slice(0, 20).map(summaryOf));
  assert.match(String(response.body.next_before), URL_SAFE, "a cursor that goes into a URL as it is");
  const rest = await call(served.url, `/admin/desyncs?before=${response.body.next_before}`, { headers: OPERATOR });
  assert.deepEqual(rest.body, { reports: reports.slice(20).map(summaryOf), next_before: null }, "a short page is the last");
  // A plain ISO time still pages: strictly older.
  const byTime = await call(served.url, `/admin/desyncs?before=${encodeURIComponent(reports[19]!.created_at)}`, { headers: OPERATOR });
  assert.deepEqual(byTime.body, { reports: reports.slice(20).map(summaryOf), next_before: null });
});

test("GET /admin/desyncs pages back with limit and next_before, and filters by room", async () => {
  const first = await call(served.url, "/admin/desyncs?limit=2", { headers: OPERATOR });
  assert.deepEqual(first.body.reports, reports.slice(0, 2).map(summaryOf));
  const second = await call(served.url, `/admin/desyncs?limit=2&before=${first.body.next_before}`, { headers: OPERATOR });
  assert.deepEqual(second.body.reports, reports.slice(2, 4).map(summaryOf));
  const third = await call(served.url, `/admin/desyncs?limit=1&before=${second.body.next_before}`, { headers: OPERATOR });
  assert.deepEqual(third.body.reports, [summaryOf(reports[4]!)]);
  assert.notEqual(third.body.next_before, null, "a full page may have more after it");
  const all = await call(served.url, "/admin/desyncs?limit=100", { headers: OPERATOR });
  assert.deepEqual(all.body, { reports: reports.map(summaryOf), next_before: null });
  const odd = await call(served.url, "/admin/desyncs?room=room-odd", { headers: OPERATOR });
  assert.deepEqual(odd.body, { reports: reports.filter((report) => report.room_id === "room-odd").map(summaryOf), next_before: null });
  const dateOnly = await call(served.url, "/admin/desyncs?before=2024-01-01", { headers: OPERATOR });
  assert.deepEqual(dateOnly.body, { reports: [], next_before: null });
});

test("GET /admin/desyncs pages through reports created in the same millisecond, each once", async () => {
  const createdAt = isoAt(2020, 0);
  const tied = ["tie-a", "tie-b", "tie-c", "tie-d", "tie-e"].map((id) => desyncReport({ id, room_id: "room-tied", created_at: createdAt }));
  for (const report of tied) await store.save(report);
  const seen: string[] = [];
  let before: unknown = null;
  for (let page = 0; page < 5; page++) {
    const query = before === null ? "" : `&before=${before}`;
    const response = await call(served.url, `/admin/desyncs?room=room-tied&limit=2${query}`, { headers: OPERATOR });
    assert.equal(response.status, 200);
    seen.push(...(response.body.reports as { id: string }[]).map((report) => report.id));
    before = response.body.next_before;
    if (before === null) break;
  }
  assert.deepEqual(seen, ["tie-e", "tie-d", "tie-c", "tie-b", "tie-a"]);
  assert.equal(before, null);
  // The other tests list every report: these go.
  await sql.query("DELETE FROM lockstep_desync_reports WHERE room_id = 'room-tied'");
});

test("GET /admin/desyncs answers a bad query with 400 invalid_request", async () => {
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
    // Cursors that are not ones this server wrote: no separator, an empty id, a time that is not one, an overlong id, not base64url.
    `before=${Buffer.from("2024-01-01T00:00:00.000Z").toString("base64url")}`,
    `before=${Buffer.from("2024-01-01T00:00:00.000Z|").toString("base64url")}`,
    `before=${Buffer.from("soon|r-1").toString("base64url")}`,
    `before=${Buffer.from(`2024-01-01T00:00:00.000Z|${"r".repeat(65)}`).toString("base64url")}`,
    "before=a+b/c",
    "room=",
    `room=${"r".repeat(129)}`,
  ];
  for (const query of bad) {
    const response = await call(served.url, `/admin/desyncs?${query}`, { headers: OPERATOR });
    assert.equal(response.status, 400, query);
    assert.equal(response.body.error, "invalid_request", query);
    assert.equal(typeof response.body.message, "string", query);
  }
  const longestRoom = await call(served.url, `/admin/desyncs?room=${"r".repeat(128)}&limit=100`, { headers: OPERATOR });
  assert.deepEqual(longestRoom.body, { reports: [], next_before: null });
});

test("GET /admin/desyncs/:id downloads the whole report as a JSON file", async () => {
  const report = reports[2]!;
  const response = await call(served.url, `/admin/desyncs/${report.id}`, { headers: OPERATOR });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-disposition"), `attachment; filename="desync-${report.id}.json"`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(response.body, report);
});

test("GET /admin/desyncs/:id answers 404 report_not_found for an unknown id, and for an overlong one", async () => {
  const unknown = await call(served.url, "/admin/desyncs/00000000-0000-0000-0000-000000000000", { headers: OPERATOR });
  assert.deepEqual([unknown.status, unknown.body.error], [404, "report_not_found"]);
  const overlong = await call(served.url, `/admin/desyncs/${"a".repeat(65)}`, { headers: OPERATOR });
  assert.deepEqual([overlong.status, overlong.body.error], [404, "report_not_found"]);
});

test("without a report store the desync routes are not mounted", async () => {
  const plain = await serve();
  try {
    assert.equal((await call(plain.url, "/admin/desyncs", { headers: OPERATOR })).status, 404);
  } finally {
    await plain.close();
  }
});

test("the desync routes are refused without the gate's approval", async () => {
  const withoutGate = { "sec-fetch-site": "same-origin" };
  for (const path of ["/admin/desyncs", `/admin/desyncs/${reports[0]!.id}`]) {
    const response = await call(served.url, path, { headers: withoutGate });
    assert.equal(response.status, 403, path);
    assert.equal(response.body.error, "forbidden", path);
  }
});

test("a failing store reaches the server's error handler: 503 when the database is unavailable, 500 otherwise", async () => {
  const ids: string[] = [];
  const failing: DesyncReportStore = {
    save: () => Promise.reject(new Error("unused")),
    list: () => Promise.reject(new DatabaseUnavailableError(new Error("connect ECONNREFUSED 10.0.0.5:5432"))),
    get: (id) => {
      ids.push(id);
      return Promise.reject(new Error("relation does not exist"));
    },
  };
  const broken = await serve(failing);
  try {
    const listing = await call(broken.url, "/admin/desyncs", { headers: OPERATOR });
    assert.deepEqual([listing.status, listing.body.error], [503, "database_unavailable"]);
    assert.doesNotMatch(listing.text, /10\.0\.0\.5/);
    const report = await call(broken.url, "/admin/desyncs/some-id", { headers: OPERATOR });
    assert.deepEqual([report.status, report.body.error], [500, "internal_error"]);
    const overlong = await call(broken.url, `/admin/desyncs/${"a".repeat(65)}`, { headers: OPERATOR });
    assert.equal(overlong.status, 404);
    assert.deepEqual(ids, ["some-id"], "an overlong id is answered without asking the store");
  } finally {
    await broken.close();
  }
});
