import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient, type LockstepMatch, type MatchEnd } from "../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../demo/arena-room.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { eventually } from "../support/eventually.ts";
import { call } from "../support/http.ts";
import { once, within } from "../support/sdk-match.ts";

const ADMIN = { email: "ops@example.com", password: "ops-password" };
let server: LockstepServer;
let store: SqlUserStore;
let adminToken: string;
let playerToken: string;

before(async () => {
  store = await SqlUserStore.open(await openEmbeddedDatabase());
  const config = loadSecurityConfig({ ADMIN_EMAILS: ADMIN.email, JWT_SECRET: "monitor-test-secret-with-enough-characters" });
  server = await startDemoServer({ store, config, port: 0, host: "127.0.0.1" });
  adminToken = (await new LockstepClient(server.url).register(ADMIN.email, ADMIN.password)).token;
  playerToken = (await new LockstepClient(server.url).loginAnonymous({ name: "Nosy" })).token;
});

after(async () => {
  await server?.close();
  await store?.close();
});

/** Two anonymous players in one running arena match. */
async function runningMatch(): Promise<{ ann: LockstepMatch<ArenaAction>; ben: LockstepMatch<ArenaAction> }> {
  const annClient = new LockstepClient(server.url);
  await annClient.loginAnonymous({ name: "Ann" });
  const benClient = new LockstepClient(server.url);
  await benClient.loginAnonymous({ name: "Ben" });
  const first = await annClient.create<ArenaAction>("arena");
  const second = await benClient.joinById<ArenaAction>(first.roomId);
  const started = Promise.all([once(first.onStart.bind(first)), once(second.onStart.bind(second))]);
  first.ready();
  second.ready();
  await within(started, "the match start");
  return { ann: first, ben: second };
}

interface GridRoom {
  readonly roomId: string;
  readonly processId: string;
  readonly metadata: Record<string, unknown>;
}

const grid = async (): Promise<{ columns: unknown[]; rooms: GridRoom[] }> => {
  const answer = await call(server.url, "/monitor/api", { token: adminToken });
  assert.equal(answer.status, 200, answer.text);
  return answer.body as unknown as { columns: unknown[]; rooms: GridRoom[] };
};

const roomCall = (roomId: string, method: string, args: unknown[], token = adminToken) =>
  call(server.url, `/monitor/api/room/call?roomId=${roomId}&method=${method}&args=${encodeURIComponent(JSON.stringify(args))}`, { token });

test("the rooms grid shows a running match's phase, an advancing frame, its players and lateness, refreshed from the listing", async () => {
  const { ann, ben } = await runningMatch();
  const { columns } = await grid();
  assert.ok(
    columns.some((column) => JSON.stringify(column) === JSON.stringify({ metadata: "phase" })),
    "the lockstep columns",
  );
  const first = await eventually(async () => {
    const row = (await grid()).rooms.find((room) => room.roomId === ann.roomId);
    assert.equal(row?.metadata.phase, "running");
    return row!;
  });
  assert.equal(first.metadata.rate, 20);
  assert.equal(first.metadata.seated, 2);
  assert.equal(first.metadata.connected, 2);
  assert.equal(first.metadata.spectators, 0);
  assert.match(String(first.metadata["tick p99"]), /^[\d.]+ ms$/);
  assert.match(String(first.metadata.log), /^\d+ frames, [\d.]+ KiB$/);
  await eventually(async () => {
    const later = (await grid()).rooms.find((room) => room.roomId === ann.roomId)!;
    assert.ok(Number(later.metadata.frame) > Number(first.metadata.frame), `frame ${later.metadata.frame} after ${first.metadata.frame}`);
  });

  const view = await call(server.url, `/monitor/api/room?roomId=${ann.roomId}`, { token: adminToken });
  assert.equal(view.status, 200);
  const state = view.body.state as Record<string, unknown>;
  assert.equal(state.phase, "running");
  const players = state.players as { name: string; connected: boolean; dropped_since: unknown; actions_accepted: number }[];
  assert.deepEqual(
    players.map((player) => [player.name, player.connected, player.dropped_since]),
    [
      ["Ann", true, null],
      ["Ben", true, null],
    ],
  );
  assert.equal(typeof (state.match as { seed: unknown }).seed, "number");
  assert.equal((state.log as { oldest_frame: number }).oldest_frame, 0);
  assert.ok((state.lateness as { ticks: number }).ticks > 0);
  const clients = view.body.clients as { elapsedTime: number }[];
  assert.equal(clients.length, 2);
  assert.ok(
    clients.every((client) => client.elapsedTime > 0),
    "how long each connection has been open",
  );
  await Promise.all([ann.leave(), ben.leave()]);
});

test("from the monitor an operator kicks a player and ends the match; every other room call is refused", async () => {
  const { ann, ben } = await runningMatch();
  for (const [method, args] of [
    ["_editStateProperty", [["phase"], "ended"]],
    ["_sendMessageToClient", [ann.room.sessionId, "room_info", {}]],
    ["broadcast", ["sync_frame", {}]],
    ["endMatch", [{ by: "script" }]],
    ["lock", []],
  ] as const) {
    const refused = await roomCall(ann.roomId, method, [...args]);
    assert.equal(refused.status, 403, `${method} is refused`);
    assert.equal(refused.body.error, "not_allowed");
  }
  assert.equal((await roomCall(ann.roomId, "disconnect", [], playerToken)).status, 403, "a player's token cannot act");

  const benClosed = new Promise<number>((resolve) => ben.onClose((code) => resolve(code)));
  const kicked = await roomCall(ann.roomId, "_forceClientDisconnect", [ben.room.sessionId]);
  assert.equal(kicked.status, 200, kicked.text);
  assert.equal(kicked.body.outcome, true);
  assert.equal(await within(benClosed, "Ben's close"), 4000);

  const ended = once<MatchEnd>(ann.onEnd.bind(ann));
  const end = await roomCall(ann.roomId, "broadcast", ["end_match", { winner: "Ann" }]);
  assert.equal(end.status, 200, end.text);
  assert.equal(end.body.outcome, "ended");
  assert.deepEqual((await within(ended, "match_end")).result, { winner: "Ann" });
});

test("the admin route ends a match without a result the way the monitor's Dispose does: with who ended it", async () => {
  const { ann } = await runningMatch();
  const ended = once<MatchEnd>(ann.onEnd.bind(ann));
  const end = await call(server.url, `/admin/rooms/${ann.roomId}/end`, { body: {}, token: adminToken });
  assert.equal(end.status, 200, end.text);
  assert.deepEqual((await within(ended, "match_end")).result, { ended_by: "operator", operator: ADMIN.email.split("@")[0] });
});

test("a player's token gets 403 on every monitor route; a cross-site request with the admin's cookie cannot end a match", async () => {
  const { ann, ben } = await runningMatch();
  for (const path of [
    "/monitor/",
    "/monitor/api",
    `/monitor/api/room?roomId=${ann.roomId}`,
    `/monitor/api/room/call?roomId=${ann.roomId}&method=disconnect&args=[]`,
  ]) {
    assert.equal((await call(server.url, path, { token: playerToken })).status, 403, path);
  }
  const cookie = `lockstep_token=${adminToken}`;
  for (const site of ["cross-site", "same-site"]) {
    const forged = await call(server.url, `/monitor/api/room/call?roomId=${ann.roomId}&method=disconnect&args=[]`, {
      cookie,
      headers: { "sec-fetch-site": site },
    });
    assert.equal(forged.status, 403, `a ${site} request`);
    assert.equal(forged.body.error, "cross_origin_refused");
  }
  const inspected = await call(server.url, `/monitor/api/room?roomId=${ann.roomId}`, { token: adminToken });
  assert.equal((inspected.body.state as { phase: string }).phase, "running", "the match goes on");
  await Promise.all([ann.leave(), ben.leave()]);
});
