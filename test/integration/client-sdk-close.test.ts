import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Client as ServerClient } from "@colyseus/core";
import { ClientErrorCode, LockstepClient, type LockstepClientError, type LockstepMatch } from "../../client-sdk/src/index.ts";
import { ENDPOINT_ATTEMPT_MS } from "../../client-sdk/src/lockstep-client.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { cutConnection } from "../support/drop.ts";
import { LossyRoom, PairRoom, type TestAction } from "../support/rooms.ts";
import { once, settlesAtOnce, startSdkMatch, within } from "../support/sdk-match.ts";
import { recordMatchmaking, startServer, type MatchmakingLog } from "../support/server.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

let server: LockstepServer;
let matchmaking: MatchmakingLog;
before(async () => {
  // `pair` holds a dropped seat for 1 s only: a seat held after a test must not keep the process up for long.
  server = await startServer({ lossy: LossyRoom, pair: PairRoom });
  matchmaking = recordMatchmaking(server);
});
after(async () => {
  matchmaking.stop();
  await server.close();
});

interface Close {
  readonly code: number;
  readonly reason: string;
}

/** Records what a match reports about its own connection: every close and every drop. */
function watchConnection(match: LockstepMatch<TestAction>) {
  const closes: Close[] = [];
  let drops = 0;
  const closed = new Promise<Close>((resolve) =>
    match.onClose((code, reason) => {
      closes.push({ code, reason });
      resolve({ code, reason });
    }),
  );
  match.onDrop(() => drops++);
  return { closes, closed: within(closed, "onClose"), drops: () => drops };
}

const isClosedError = (code: number) => (error: LockstepClientError) => error.code === ClientErrorCode.MATCH_CLOSED && error.details?.close_code === code;

/**
 * Runs `trigger` (something that makes the server close this client) and checks what a final
 * close must look like: `closed` at once, one `onClose` with the code and reason, nothing sent,
 * `leave()` settled without waiting, and no attempt to take the seat back.
 */
async function expectFinalClose(match: LockstepMatch<TestAction>, trigger: () => void, expected: Close): Promise<void> {
  assert.equal(match.phase, "running");
  const connection = watchConnection(match);
  const callsBefore = (await matchmaking.settled()).length;
  trigger();
  assert.deepEqual(await connection.closed, expected);
  assert.equal(match.phase, "closed");
  assert.equal(match.connected, false);
  assert.equal(match.closeCode, expected.code);
  assert.equal(match.closeReason, expected.reason);
  assert.equal(match.sendAction({ kind: "move", n: 1 }), false, "nothing is sent on a closed match");

  const leaving = match.leave();
  assert.ok(await settlesAtOnce(leaving), "leave() settles at once on a closed match");
  assert.equal(await leaving, expected.code);
  assert.equal(await match.leave(), expected.code, "a second leave() is harmless");
  await assert.rejects(match.requestFrames(0), isClosedError(expected.code));

  assert.deepEqual((await matchmaking.settled()).slice(callsBefore), [], "no join or reconnect call after a final close");
  assert.equal(connection.drops(), 0, "a final close is not a drop");
  assert.deepEqual(connection.closes, [expected], "onClose fired once");
}

function startMatch() {
  return startSdkMatch(new LockstepClient(server.url), server.url);
}

/** The server-side client object of an SDK match. */
function serverClientOf(room: LossyRoom, match: LockstepMatch<TestAction>): ServerClient {
  const client = room.clients.find((candidate) => candidate.sessionId === match.sessionId);
  assert.ok(client, "the match's session is connected");
  return client;
}

test("closed as abusive (4429) after a flood of refused actions: closed, onClose(4429, reason), no reconnection", async () => {
  const { match, observer } = await startMatch();
  await expectFinalClose(
    match,
    () => {
      // Not an integer: each is refused by the room's schema and counts as a strike.
      for (let i = 0; i < 40; i++) match.sendAction({ kind: "move", n: 0.5 });
    },
    { code: 4429, reason: "too many refused messages" },
  );
  await observer.room.leave();
});

test("closed for an oversized message (1009): closed, onClose(1009, 'message too large'), no reconnection", async () => {
  const { match, observer } = await startMatch();
  await expectFinalClose(
    match,
    () => {
      match.sendAction({ kind: "move", n: 1, pad: "x".repeat(5 * 1024) });
    },
    { code: 1009, reason: "message too large" },
  );
  await observer.room.leave();
});

test("closed with a protocol error (4002): closed, onClose(4002, 'protocol error'), no reconnection", async () => {
  // The server holds the seat after this close (it is not consented): `pair` holds it briefly.
  const { match, observer, room } = await startSdkMatch(new LockstepClient(server.url), server.url, "pair");
  const client = serverClientOf(room, match);
  await expectFinalClose(match, () => client.leave(4002), { code: 4002, reason: "protocol error" });
  await observer.room.leave();
});

test("kicked by an operator (4000): closed, onClose(4000, the server's reason), no reconnection", async () => {
  const { match, observer, room } = await startMatch();
  await expectFinalClose(match, () => room.kickPlayer(match.you!.uid), { code: 4000, reason: "kicked by an operator" });
  await observer.room.leave();
});

test("the room is disposed: closed, onClose(4000, 'left or match over / kicked'), no reconnection", async () => {
  const { match, room } = await startMatch();
  await expectFinalClose(match, () => void room.disconnect(), { code: 4000, reason: "left or match over / kicked" });
});

test("a match that ends normally keeps `end` and reaches `closed` when the room closes", async () => {
  const { match } = await startMatch();
  const order: string[] = [];
  match.onEnd((end) => order.push(`end ${end.reason} in phase ${match.phase}`));
  match.onClose((code) => order.push(`close ${code}`));
  await expectFinalClose(match, () => match.sendAction({ kind: "end", winner: "sdk" }), { code: 4000, reason: "left or match over / kicked" });
  assert.deepEqual(order, ["end ended in phase ended", "close 4000"]);
  assert.equal(match.end?.reason, "ended");
  assert.deepEqual(match.end?.result, { winner: "sdk" });
});

test("a requestFrames still waiting when the room closes rejects with MATCH_CLOSED", async () => {
  const { match, observer, room } = await startMatch();
  await observer.waitForFrame(5);
  // The request leaves now; the kick closes the socket before the server reads it.
  const pending = match.requestFrames(0);
  room.kickPlayer(match.you!.uid);
  await assert.rejects(within(pending, "requestFrames to settle"), isClosedError(4000));
  assert.equal(match.phase, "closed");
  await observer.room.leave();
});

test("a lost connection (1006) is not final: the SDK reconnects, and the matchmaking log sees it", async () => {
  const { match, observer } = await startMatch();
  const callsBefore = (await matchmaking.settled()).length;
  const back = once<void>(match.onReconnect.bind(match));
  cutConnection(match);
  await within(back, "onReconnect");
  assert.deepEqual((await matchmaking.settled()).slice(callsBefore), ["reconnect"]);
  assert.equal(match.phase, "running");
  assert.equal(match.closeCode, undefined);
  await Promise.all([match.leave(), observer.room.leave()]);
});

test("leave() while reconnecting stops the retries and settles at once with the drop's code", async () => {
  const proxy = await TcpProxy.start("127.0.0.1", server.port);
  try {
    const { match, observer } = await startSdkMatch(new LockstepClient(`http://127.0.0.1:${proxy.port}`), server.url, "pair");
    const connection = watchConnection(match);
    await observer.waitForFrame(5);
    const dropped = once<void>(match.onDrop.bind(match));
    const pending = match.requestFrames(0);
    proxy.refuse(); // resets the connection (1006) and refuses every retry
    await within(dropped, "onDrop");
    await assert.rejects(within(pending, "requestFrames to settle"), (error: LockstepClientError) => error.code === ClientErrorCode.CONNECTION_LOST);
    assert.equal(match.phase, "running", "a drop is not a close");
    await within(proxy.waitForRefused(1), "a first retry");

    const leaving = match.leave();
    assert.ok(await settlesAtOnce(leaving), "leave() does not wait for the retries");
    assert.equal(await leaving, 1006);
    assert.equal(match.phase, "closed");
    assert.deepEqual(connection.closes, [{ code: 1006, reason: "left while reconnecting (connection lost)" }]);
    const refused = proxy.refused;
    // A retry would be due within the backoff (a few hundred ms at this point): give it a second.
    const retried = await Promise.race([
      proxy.waitForRefused(refused + 1).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000)),
    ]);
    assert.equal(retried, false, "no retry after leave()");
    await observer.room.leave();
  } finally {
    await proxy.close();
  }
});

test("automatic reconnection gives up after reconnectTimeoutMs: closed with 4003", async () => {
  const proxy = await TcpProxy.start("127.0.0.1", server.port);
  try {
    const client = new LockstepClient(`http://127.0.0.1:${proxy.port}`, { reconnectTimeoutMs: 600 });
    const { match, observer } = await startSdkMatch(client, server.url, "pair");
    const connection = watchConnection(match);
    const started = performance.now();
    proxy.refuse();
    const close = await connection.closed;
    assert.deepEqual(close, { code: 4003, reason: "gave up reconnecting after 600 ms (connection lost)" });
    assert.ok(performance.now() - started >= 600, "it kept trying for the whole window");
    assert.ok(proxy.refused >= 3, `it retried (${proxy.refused} attempts)`);
    assert.equal(connection.drops(), 1);
    assert.equal(match.phase, "closed");
    assert.ok(await settlesAtOnce(match.leave()));
    assert.equal(await match.leave(), 4003);
    assert.throws(() => new LockstepClient(server.url, { reconnectTimeoutMs: -1 }), /reconnectTimeoutMs/);
    await observer.room.leave();
  } finally {
    await proxy.close();
  }
});

test("leave() settles even when the server never confirms it", async () => {
  const proxy = await TcpProxy.start("127.0.0.1", server.port);
  try {
    const { match, observer } = await startSdkMatch(new LockstepClient(`http://127.0.0.1:${proxy.port}`), server.url, "pair");
    const connection = watchConnection(match);
    proxy.stall(); // the connection stays open, nothing gets through
    assert.equal(await within(match.leave(), "leave() to settle"), 1006);
    assert.equal(match.phase, "closed");
    assert.deepEqual(connection.closes, [{ code: 1006, reason: "left without the server's confirmation" }]);
    await observer.room.leave();
  } finally {
    await proxy.close();
  }
});

test("LockstepClient.reconnect(token) tries every endpoint: a dead first one, then the live one", async () => {
  const dead = await TcpProxy.start("127.0.0.1", server.port);
  try {
    dead.refuse();
    const { match: first, observer } = await startSdkMatch(new LockstepClient(server.url, { autoReconnect: false }), server.url);
    const connection = watchConnection(first);
    const token = first.reconnectionToken;
    const slot = first.you!.slot;
    cutConnection(first);
    assert.deepEqual(await connection.closed, { code: 1006, reason: "connection lost" });
    assert.equal(first.phase, "closed", "without autoReconnect, a lost connection is final");

    const second = await within(new LockstepClient([`http://127.0.0.1:${dead.port}`, server.url]).reconnect<LossyRoom>(token), "reconnect()");
    await within(once(second.onStart.bind(second)), "onStart after reconnecting");
    assert.equal(second.you?.slot, slot, "the same seat");
    assert.ok(dead.refused >= 1, "the first endpoint was tried first");
    await Promise.all([second.leave(), observer.room.leave()]);
  } finally {
    await dead.close();
  }
});

test("LockstepClient.reconnect(token) skips an endpoint that never answers (a hung process) after ENDPOINT_ATTEMPT_MS", async () => {
  const hung = await TcpProxy.start("127.0.0.1", server.port);
  try {
    hung.stall();
    const { match: first, observer } = await startSdkMatch(new LockstepClient(server.url, { autoReconnect: false }), server.url);
    const token = first.reconnectionToken;
    cutConnection(first);
    await once(first.onClose.bind(first));
    const started = performance.now();
    const second = await new LockstepClient([`http://127.0.0.1:${hung.port}`, server.url]).reconnect<LossyRoom>(token);
    const took = performance.now() - started;
    assert.ok(
      took >= ENDPOINT_ATTEMPT_MS - 50 && took < ENDPOINT_ATTEMPT_MS + 3000,
      `the hung endpoint was given ${ENDPOINT_ATTEMPT_MS} ms, not forever (took ${took.toFixed(0)} ms)`,
    );
    assert.equal(hung.connections > 0, true, "the hung endpoint was tried first");
    await Promise.all([second.leave(), observer.room.leave()]);
  } finally {
    await hung.close();
  }
});
