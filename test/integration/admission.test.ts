import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode, ServerError } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { LockstepCloseCode } from "../../src/protocol/index.ts";
import { createLockstepServer, type LockstepServer, type LockstepServerOptions } from "../../src/server/create-server.ts";
import type { TokenVerifier } from "../../src/server/room-admission.ts";
import { call, rejectionOf } from "../support/http.ts";
import { TestPlayer } from "../support/player.ts";

/** Tokens are `user:<id>`: enough to tell accounts apart without a user store. */
const verifier: TokenVerifier = async (token) => {
  if (!token.startsWith("user:")) throw new ServerError(ErrorCode.AUTH_FAILED, "the token is malformed");
  return { id: token.slice("user:".length), name: token.slice("user:".length) };
};

/** Token-gated, two seats. */
class DuelRoom extends LockstepRoom {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 2, maxPlayers: 2 };
}
/** Open, and closes if its match has not started after one second. */
class ImpatientRoom extends LockstepRoom {
  override lockstep: LockstepOptionsInput = { requireAuth: false, minPlayers: 2, maxPlayers: 2, waitingTimeoutSeconds: 1 };
}

async function withServer(options: Partial<LockstepServerOptions>, body: (server: LockstepServer) => Promise<void>): Promise<void> {
  const server = await createLockstepServer({ port: 0, host: "127.0.0.1", rooms: { duel: DuelRoom, impatient: ImpatientRoom }, ...options });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

function clientWith(server: LockstepServer, token?: string): Client {
  const client = new Client(server.url);
  if (token !== undefined) client.auth.token = token;
  return client;
}

/** A matchmaking request made by hand: the seat is reserved, nobody connects to it. */
function reserve(server: LockstepServer, method: string, room: string, token?: string) {
  return call(server.url, `/matchmake/${method}/${room}`, { body: {}, ...(token !== undefined ? { token } : {}) });
}

test("a token-gated room refuses a missing token at matchmaking: no seat is reserved, so token-less requests cannot lock players out", async () => {
  await withServer({ auth: verifier }, async (server) => {
    const host = await clientWith(server, "user:host").create("duel");
    for (let i = 0; i < 3; i++) {
      const refused = await reserve(server, "joinById", host.roomId);
      assert.equal(refused.status, 525);
      assert.match(String(refused.body.error), /login token is required/);
    }
    assert.match((await rejectionOf(clientWith(server, "not-a-token").joinById(host.roomId))).message, /malformed/);
    const friend = await clientWith(server, "user:friend").joinById(host.roomId);
    assert.equal(friend.roomId, host.roomId, "the last seat was still free for a real player");
    await Promise.all([host.leave(), friend.leave()]);
  });
});

test("without a token verifier, a token-gated room says so; an open room needs none", async () => {
  await withServer({}, async (server) => {
    const refused = await rejectionOf(clientWith(server, "user:someone").create("duel"));
    assert.equal(refused.code, 525);
    assert.match(refused.message, /verifies none/);
    const open = await clientWith(server).create("impatient");
    await open.leave();
  });
});

test("matchmaking is rate-limited per address: 429 with Retry-After, before any room work", async () => {
  await withServer({ limits: { matchmakingPerAddressPerMinute: 12 } }, async (server) => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await reserve(server, "create", "impatient"));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 429, 429],
      "a burst of two (a sixth of 12), then refused",
    );
    assert.match(String(answers[2]!.body.error), /at most 12 per minute/);
    assert.ok(Number(answers[2]!.headers.get("retry-after")) >= 1);
    assert.equal((await call(server.url, "/__healthcheck")).status, 200, "other routes are not limited");
  });
});

test("an account plays at most maxMatchesPerAccount matches at once, joined or being joined; leaving frees one", async () => {
  await withServer({ auth: verifier, limits: { maxMatchesPerAccount: 2 } }, async (server) => {
    const ada = clientWith(server, "user:ada");
    const first = await ada.create("duel");
    const second = await ada.create("duel");
    const third = await rejectionOf(ada.create("duel"));
    assert.equal(third.code, 429);
    assert.match(third.message, /already plays or is joining 2 matches/);
    assert.equal((await rejectionOf(ada.joinById(first.roomId))).code, 429);

    await first.leave();
    const again = await ada.create("duel");
    await Promise.all([second.leave(), again.leave()]);

    // Reservations nobody connects to count too: no farm of half-created rooms.
    assert.equal((await reserve(server, "create", "duel", "user:bob")).status, 200);
    assert.equal((await reserve(server, "create", "duel", "user:bob")).status, 200);
    const farmed = await reserve(server, "create", "duel", "user:bob");
    assert.equal(farmed.status, 429);
    assert.equal(
      await clientWith(server, "user:cy")
        .create("duel")
        .then((room) => room.leave()),
      4000,
      "other accounts are unaffected",
    );
  });
});

test("an account's matchmaking rate is limited; a process refuses rooms past maxRoomsPerProcess with 503", async () => {
  await withServer({ auth: verifier, limits: { matchmakingPerAccountPerMinute: 6, maxRoomsPerProcess: 2 } }, async (server) => {
    const dan = clientWith(server, "user:dan");
    const room = await dan.create("duel");
    const limited = await rejectionOf(dan.create("duel"));
    assert.equal(limited.code, 429);
    assert.match(limited.message, /at most 6 per minute/);

    const second = await clientWith(server, "user:eve").create("duel");
    const full = await rejectionOf(clientWith(server, "user:fay").create("duel"));
    assert.equal(full.code, 503);
    assert.match(full.message, /already runs 2 rooms/);
    await room.leave();
    await second.leave();
    const afterLeave = await clientWith(server, "user:gus").create("duel");
    await afterLeave.leave();
  });
});

test("a room whose match never starts is closed after waitingTimeoutSeconds with 4408", async () => {
  await withServer({}, async (server) => {
    const lonely = await TestPlayer.join(server.url, "impatient");
    const started = performance.now();
    assert.equal(await lonely.closes.wait(), LockstepCloseCode.WAITING_TIMEOUT);
    assert.ok(performance.now() - started < 3000);
  });
});
