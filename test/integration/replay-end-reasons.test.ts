import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient, type MatchEnd } from "../../client-sdk/src/index.ts";
import { SqlReplayStore } from "../../src/accounts/replay-store.ts";
import { openEmbeddedDatabase, type SqlClient } from "../../src/accounts/sql-client.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { ReplayArchive } from "../../src/lockstep/replay-archive.ts";
import { readReplayDocument } from "../../src/protocol/replay-format.ts";
import { createLockstepServer, type LockstepServer } from "../../src/server/create-server.ts";
import { EndingDesyncRoom, playToy } from "../support/desync-game.ts";
import { eventually } from "../support/eventually.ts";
import { TestGameRoom } from "../support/rooms.ts";
import { once, within } from "../support/sdk-match.ts";

/** Bytes of padding per action, under the server's 4 KiB message bound: some forty actions fill the smallest frame log. */
const PAD_BYTES = 3500;

/** One player; a frame log of the smallest size allowed, and a full log ends the match. */
class FullLogRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 60,
    minPlayers: 1,
    maxPlayers: 1,
    maxActionBytes: 4096,
    maxLogBytes: 128 * 1024,
    logOverflow: "end-match",
  };
}

let server: LockstepServer;
let sql: SqlClient;
let store: SqlReplayStore;
let archive: ReplayArchive;

before(async () => {
  sql = await openEmbeddedDatabase();
  store = await SqlReplayStore.open(sql);
  archive = new ReplayArchive({ store });
  server = await createLockstepServer({
    rooms: { full: FullLogRoom, ending: EndingDesyncRoom },
    port: 0,
    host: "127.0.0.1",
    services: { replays: archive },
  });
});

after(async () => {
  await server?.close();
  await archive?.close();
  await sql?.close();
});

/** The stored replay named by a match's end, once written (after `match_end`, off the frame clock). */
async function storedReplay(end: MatchEnd): Promise<{ summaryReason: string; document: Awaited<ReturnType<typeof readReplayDocument>> }> {
  assert.equal(typeof end.replayId, "string", "match_end names the replay");
  return eventually(async () => {
    const stored = await store.get(end.replayId!);
    assert.ok(stored !== undefined, `replay ${end.replayId} is stored`);
    return { summaryReason: stored.summary.end_reason, document: await readReplayDocument(stored.document) };
  });
}

test("a match ended by a full frame log is stored as a replay with end reason log_full, every frame included", async () => {
  const match = await new LockstepClient(server.url).create("full");
  const started = once(match.onStart.bind(match));
  const ended = once<MatchEnd>(match.onEnd.bind(match));
  match.ready();
  await within(started, "the start");
  // One large action per frame until the log is full (under a second at 60 Hz).
  let sent = 0;
  match.onFrame(() => {
    if (match.phase === "running") match.sendAction({ kind: "move", n: sent++, pad: "x".repeat(PAD_BYTES) });
  });
  const end = await within(ended, "the end by a full log");
  assert.equal(end.reason, "log_full");
  const { summaryReason, document } = await storedReplay(end);
  assert.equal(summaryReason, "log_full");
  assert.equal(document.end_reason, "log_full");
  assert.equal(document.frames.length, end.lastFrame + 1, "every frame up to the last one closed");
  assert.ok(document.frames.reduce((bytes, frame) => bytes + frame.byteLength, 0) > 4 * PAD_BYTES, "the frames hold the actions that filled the log");
  await match.leave();
});

test("a match ended by a desync (desyncPolicy end-match) is stored as a replay with end reason desync and the report's id", async () => {
  const clients = Array.from({ length: 3 }, () => new LockstepClient(server.url));
  const players = await playToy(clients, "ending", 0, 12);
  const end = await within(once<MatchEnd>(players[1]!.match.onEnd.bind(players[1]!.match)), "the end by a desync");
  assert.equal(end.reason, "desync");
  const { summaryReason, document } = await storedReplay(end);
  assert.equal(summaryReason, "desync");
  assert.equal(document.end_reason, "desync");
  assert.deepEqual(document.result, end.result, "the result names the desync report");
  assert.equal(document.frames.length, end.lastFrame + 1);
  await Promise.all(players.map((player) => player.quit()));
});
