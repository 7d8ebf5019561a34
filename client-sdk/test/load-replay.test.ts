import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { ArenaAction } from "../../demo/arena-room.ts";
import { createArenaState, stepArena, type ArenaState } from "../../demo/web/arena-sim.ts";
import { ReplayErrorCode, ReplayFormatError, checksumParts, wholeStateHash, type ReplayChecksum } from "../../src/protocol/index.ts";
import { ReplayLoadErrorCode, loadReplay } from "../src/load-replay.ts";
import { hashState } from "../src/state-hash.ts";
import { ClientErrorCode, LockstepClientError, type LockstepFrame, type MatchInfo } from "../src/types.ts";
import { encodeFrames, header, stored, sumFrames, type Entry } from "./replay-fixture.ts";

const TOKEN = "s3cret-token";
/** Generous for a local download: past it, a hang fails the test instead of stalling the run. */
const TIMEOUT = { timeout: 10_000 };

/** The arena demo's state hash, in the parts its page sends. */
const arenaHash = (state: ArenaState): Record<string, string> => ({
  frame: hashState(state.frame),
  players: hashState(state.players),
  coin: hashState(state.coin),
  rng: hashState(state.rng),
});

/** 80 frames of the arena demo: both players wander; every tenth frame's hash recorded, as the server would have. */
function arenaMatch(): { frames: Entry[][]; checksums: ReplayChecksum[]; finalHash: string } {
  const frames: Entry[][] = Array.from({ length: 80 }, (_, n) => [
    { slot: 0, action: { type: "move", dx: n % 7 < 4 ? 1 : -1, dy: 0 } },
    { slot: 1, action: { type: "move", dx: 0, dy: n % 5 < 3 ? 1 : -1 } },
  ]);
  const info: MatchInfo = { players: header(0, 0).players, seed: 1234, frameRate: 20, startFrame: 0, checksumInterval: 10 };
  const state = createArenaState(info);
  const checksums: ReplayChecksum[] = [];
  frames.forEach((entries, frame) => {
    const actions = entries.map((entry) => ({ slot: entry.slot, uid: `slot-${entry.slot}`, action: (entry as { action: ArenaAction }).action }));
    stepArena(state, { frame, actions, events: [] });
    if (frame % 10 === 0) checksums.push({ frame, hash: wholeStateHash(checksumParts(arenaHash(state))) });
  });
  return { frames, checksums, finalHash: hashState(state) };
}

const arena = arenaMatch();
let documents: Record<string, Uint8Array>;
let baseUrl: string;
const authorizations: (string | undefined)[] = [];
const hanging: ServerResponse[] = [];

function json(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function serve(request: IncomingMessage, response: ServerResponse): void {
  authorizations.push(request.headers.authorization);
  const name = request.url!.replace("/replays/", "");
  if (request.headers.authorization !== `Bearer ${TOKEN}`) return json(response, 401, { error: "unauthorized", message: "log in to download replays" });
  if (name === "private") return json(response, 403, { error: "forbidden", message: "only the match's players and admins may download this replay" });
  if (name === "broken") return void response.writeHead(502, "Bad Gateway", { "content-type": "text/html" }).end("<h1>proxy error</h1>");
  // Both stay open: a client that waited for the whole body would hang.
  if (name === "declared-huge") {
    response.writeHead(200, { "content-length": String(100 * 1024 * 1024) }).write(new Uint8Array(16));
    hanging.push(response);
    return;
  }
  if (name === "endless") {
    response.writeHead(200).write(new Uint8Array(8 * 1024));
    hanging.push(response);
    return;
  }
  const document = documents[name];
  if (document === undefined) return json(response, 404, { error: "not_found", message: "no replay with this id" });
  response.writeHead(200, { "content-type": "application/vnd.colyseus-lockstep.replay" }).end(document);
}

const server = createServer(serve);

before(async () => {
  documents = {
    sum: await stored(header(5, 12), encodeFrames(5, sumFrames(12))),
    arena: await stored(
      header(0, arena.frames.length, { room_name: "arena", checksum_interval: 10, checksums: arena.checksums }),
      encodeFrames(0, arena.frames),
    ),
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/replays`;
});

after(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Asserts that `promise` rejects with a `ReplayFormatError` of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: ReplayErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ReplayFormatError, `a ReplayFormatError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.ok(error.message.length > 20, "a message saying what is wrong");
    return true;
  });
}

/** Asserts that `promise` rejects with a `LockstepClientError`, and returns it. */
async function clientError(promise: Promise<unknown>): Promise<LockstepClientError> {
  const error = await promise.then(
    () => assert.fail("expected a rejection"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof LockstepClientError, `a LockstepClientError, got ${String(error)}`);
  return error;
}

test("loads a document from bytes or an ArrayBuffer", async () => {
  const bytes = documents.sum!;
  const fromBytes = await loadReplay(bytes);
  assert.equal(fromBytes.firstFrame, 5);
  assert.equal(fromBytes.lastFrame, 16);
  assert.equal(fromBytes.frame, 4);
  assert.equal(fromBytes.document.frames.length, 12);
  assert.deepEqual(fromBytes.document.frames, encodeFrames(5, sumFrames(12)));
  assert.deepEqual(
    fromBytes.participants.map((participant) => participant.uid),
    ["ann", "ben"],
  );
  const buffer = new Uint8Array(bytes).buffer;
  const fromBuffer = await loadReplay(buffer);
  assert.deepEqual(fromBuffer.document, fromBytes.document);
});

test("bytes that are not a replay document are refused with the format's code", async () => {
  const bytes = documents.sum!;
  const corrupt = bytes.slice();
  corrupt[corrupt.length - 6]! ^= 0xff; // inside the gzip trailer's CRC-32
  await rejectsWith(loadReplay(corrupt), ReplayErrorCode.CORRUPT);
  await rejectsWith(loadReplay(bytes.subarray(0, bytes.length - 12)), ReplayErrorCode.CORRUPT);
  const magic = bytes.slice();
  magic[0] = 0x50;
  await rejectsWith(loadReplay(magic), ReplayErrorCode.NOT_A_REPLAY);
  await rejectsWith(loadReplay(new TextEncoder().encode("<html>not found</html>")), ReplayErrorCode.NOT_A_REPLAY);
  const version = bytes.slice();
  version[4] = 9;
  await rejectsWith(loadReplay(version), ReplayErrorCode.UNSUPPORTED_VERSION);
  await rejectsWith(loadReplay(bytes, { maxBytes: bytes.length - 1 }), ReplayErrorCode.TOO_LARGE);
  await assert.rejects(loadReplay(bytes, { maxBytes: 0 }), RangeError);
});

test("downloads a replay with the token and plays it to the live game's final state on a real timer", TIMEOUT, async () => {
  authorizations.length = 0;
  const fetched: string[] = [];
  const replay = await loadReplay<ArenaAction>(`${baseUrl}/arena`, {
    token: TOKEN,
    clock: "timer",
    fetch: (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    },
  });
  assert.deepEqual(authorizations, [`Bearer ${TOKEN}`]);
  assert.deepEqual(fetched, [`${baseUrl}/arena`], "the given fetch was used");
  // The arena page's start(), unchanged but for the object it is registered on.
  let state: ArenaState | undefined;
  const mismatches: unknown[] = [];
  replay.onStart((info) => {
    state = createArenaState(info);
    replay.run(
      { step: (frame: LockstepFrame<ArenaAction>) => stepArena(state!, frame), render: () => undefined },
      { hash: () => arenaHash(state!), dump: () => state },
    );
  });
  replay.onMismatch((mismatch) => mismatches.push(mismatch));
  const ended = new Promise((resolve) => replay.onEnd(resolve));
  replay.speed = 16;
  replay.play();
  assert.deepEqual(await ended, { reason: "ended", result: { winner: "ann" }, lastFrame: 79, replayId: "replay-1" });
  assert.equal(hashState(state), arena.finalHash);
  assert.deepEqual(mismatches, []);
  assert.equal(replay.verifiedFrames, arena.checksums.length);
  assert.equal(replay.playing, false);
  replay.close();
});

test("a refused download rejects with REPLAY_UNAVAILABLE, the status and the server's message", TIMEOUT, async () => {
  const forbidden = await clientError(loadReplay(`${baseUrl}/private`, { token: TOKEN }));
  assert.equal(forbidden.code, ReplayLoadErrorCode.UNAVAILABLE);
  assert.deepEqual(forbidden.details, { status: 403, error: "forbidden" });
  assert.match(forbidden.message, /only the match's players and admins/);

  const missing = await clientError(loadReplay(new URL(`${baseUrl}/nope`), { token: TOKEN }));
  assert.deepEqual([missing.code, missing.details], [ReplayLoadErrorCode.UNAVAILABLE, { status: 404, error: "not_found" }]);
  assert.match(missing.message, /no replay with this id/);

  const anonymous = await clientError(loadReplay(`${baseUrl}/sum`));
  assert.deepEqual(anonymous.details, { status: 401, error: "unauthorized" }, "no token, no Authorization header");

  const proxy = await clientError(loadReplay(`${baseUrl}/broken`, { token: TOKEN }));
  assert.deepEqual([proxy.code, proxy.details], [ReplayLoadErrorCode.UNAVAILABLE, { status: 502 }]);
  assert.match(proxy.message, /502 Bad Gateway/);
});

test("a download past maxBytes is refused, by its declared length or while it streams", TIMEOUT, async () => {
  await rejectsWith(loadReplay(`${baseUrl}/declared-huge`, { token: TOKEN, maxBytes: 1000 }), ReplayErrorCode.TOO_LARGE);
  await rejectsWith(loadReplay(`${baseUrl}/endless`, { token: TOKEN, maxBytes: 4096 }), ReplayErrorCode.TOO_LARGE);
});

test("a server that cannot be reached rejects with REQUEST_FAILED", TIMEOUT, async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const error = await clientError(loadReplay(`http://127.0.0.1:${port}/replays/sum`, { token: TOKEN }));
  assert.equal(error.code, ClientErrorCode.REQUEST_FAILED);
});
