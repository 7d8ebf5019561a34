import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LockstepClient, hashState, loadReplay, type LockstepFrame, type LockstepMatch, type MatchEnd } from "../../client-sdk/src/index.ts";
import type { ArenaAction, ArenaRoom } from "../../demo/arena-room.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import { createArenaState, stepArena, type ArenaState } from "../../demo/web/arena-sim.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openReplayStore } from "../../src/accounts/replay-store.ts";
import { openEmbeddedDatabase, openPostgres, type SqlClient } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { BinaryMessage, frameNumberOf, readReplayDocument } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { eventually } from "../support/eventually.ts";
import { call } from "../support/http.ts";
import { TEST_DATABASE_URL, dropSchema, postgresUnavailable, uniqueSchema } from "../support/postgres.ts";
import { once, within } from "../support/sdk-match.ts";

const ADMIN = { email: "ops@example.com", password: "ops-password" };
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

const postgresSkip = await postgresUnavailable();
const schema = uniqueSchema();

/** The same matches, stored and played back, on each database: the embedded one and PostgreSQL. */
const DATABASES: readonly { name: string; open: () => Promise<SqlClient>; skip?: string }[] = [
  { name: "embedded (PGlite)", open: () => openEmbeddedDatabase() },
  {
    name: "PostgreSQL",
    open: () => openPostgres({ url: TEST_DATABASE_URL, schema }),
    ...(postgresSkip !== undefined ? { skip: postgresSkip } : {}),
  },
];

after(async () => {
  if (postgresSkip === undefined) await dropSchema(schema);
});

let server: LockstepServer;
let store: SqlUserStore;
let adminToken: string;

/** A logged-in guest in the arena, with every `sync_frame` payload its socket received and the frames the SDK delivered. */
interface Seat {
  readonly client: LockstepClient;
  readonly token: string;
  readonly match: LockstepMatch<ArenaAction>;
  readonly wire: Map<number, string>;
  readonly delivered: LockstepFrame<ArenaAction>[];
}

async function seat(name: string, roomId?: string, createOptions: Record<string, unknown> = {}): Promise<Seat> {
  const client = new LockstepClient(server.url);
  const { token } = await client.loginAnonymous({ name });
  const match = roomId === undefined ? await client.create<ArenaRoom>("arena", createOptions) : await client.joinById<ArenaRoom>(roomId);
  const wire = new Map<number, string>();
  // Next to the SDK's own handler: the payloads exactly as they came off the socket.
  match.room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => wire.set(frameNumberOf(bytes), hex(bytes)));
  const delivered: LockstepFrame<ArenaAction>[] = [];
  match.onFrame((frame) => delivered.push(frame));
  return { client, token, match, wire, delivered };
}

/** The demo's simulation over `frames`, from the match's start: its final hash. */
function simulate(match: LockstepMatch<ArenaAction>, frames: readonly LockstepFrame<ArenaAction>[]): string {
  const state: ArenaState = createArenaState(match.info!);
  for (const frame of frames) stepArena(state, frame);
  return hashState(state);
}

/** Two guests play a few moves each, then one ends the match; resolves with both seats and the end they got. */
async function playMatch(): Promise<{ ann: Seat; ben: Seat; end: MatchEnd }> {
  const ann = await seat("Ann");
  const ben = await seat("Ben", ann.match.roomId);
  const started = Promise.all([once(ann.match.onStart.bind(ann.match)), once(ben.match.onStart.bind(ben.match))]);
  ann.match.ready();
  ben.match.ready();
  await within(started, "the start");
  for (let move = 0; move < 6; move++) {
    const target = (ann.match.lastFrame ?? 0) + 2;
    ann.match.sendAction({ type: "move", dx: move % 2 === 0 ? 1 : -1, dy: 0 });
    ben.match.sendAction({ type: "move", dx: 0, dy: move % 2 === 0 ? 1 : -1 });
    await within(
      once<LockstepFrame<ArenaAction>>((listener) => ann.match.onFrame((frame) => frame.frame >= target && listener(frame))),
      `frame ${target}`,
    );
  }
  const ends = Promise.all([once(ann.match.onEnd.bind(ann.match)), once(ben.match.onEnd.bind(ben.match))]);
  ann.match.sendAction({ type: "end" });
  const [end] = await within(ends, "the end of the match");
  return { ann, ben, end };
}

for (const database of DATABASES) {
  // One demo server at a time: each suite starts its own on its database, and stops it before the next.
  describe(database.name, { ...(database.skip !== undefined ? { skip: database.skip } : {}) }, () => {
    before(async () => {
      store = await SqlUserStore.open(await database.open());
      server = await startDemoServer({
        store,
        replays: await openReplayStore(store),
        config: loadSecurityConfig({ ADMIN_EMAILS: ADMIN.email, JWT_SECRET: "replay-test-secret-with-enough-characters" }),
        port: 0,
        host: "127.0.0.1",
      });
      adminToken = (await new LockstepClient(server.url).register(ADMIN.email, ADMIN.password)).token;
    });

    after(async () => {
      await server?.close();
      await store?.close();
    });

    test("a finished match is stored as its replay: the frames the players received, byte for byte, and the same final state", async () => {
      const { ann, ben, end } = await playMatch();
      assert.equal(typeof end.replayId, "string", "match_end names the replay");
      const url = `${server.url}/replays/${end.replayId}`;
      // Written after match_end, off the frame clock: it appears shortly after.
      const response = await eventually(async () => {
        const answer = await fetch(url, { headers: { authorization: `Bearer ${ann.token}` } });
        assert.equal(answer.status, 200);
        return answer;
      });
      assert.equal(response.headers.get("content-type"), "application/vnd.colyseus-lockstep.replay");
      const document = await readReplayDocument(new Uint8Array(await response.arrayBuffer()));
      assert.equal(document.room_id, ann.match.roomId);
      assert.equal(document.room_name, "arena");
      assert.equal(document.seed, ann.match.seed);
      assert.equal(document.end_reason, "ended");
      assert.equal(document.last_frame, end.lastFrame);
      assert.deepEqual(
        document.participants.map(({ uid, name, slot, joined_frame, left_frame }) => ({ uid, name, slot, joined_frame, left_frame })),
        [ann, ben].map((player) => ({
          uid: player.match.you!.uid,
          name: player === ann ? "Ann" : "Ben",
          slot: player.match.you!.slot,
          joined_frame: 0,
          left_frame: null,
        })),
      );

      const replay = await loadReplay<ArenaAction>(url, { token: ben.token, clock: "timer" });
      assert.equal(replay.lastFrame, end.lastFrame);
      assert.equal(replay.document.frames.length, end.lastFrame + 1);
      for (const player of [ann, ben]) {
        assert.deepEqual(
          player.delivered.map((frame) => frame.frame),
          replay.document.frames.map((_, index) => index),
          "the player got every frame of the replay, once, in order",
        );
        assert.equal(player.wire.size, end.lastFrame + 1, "each frame reached the socket live (no gap was fetched)");
        for (const [index, bytes] of replay.document.frames.entries())
          assert.equal(hex(bytes), player.wire.get(index), `frame ${index} as received and as replayed`);
      }
      let state: ArenaState | undefined;
      replay.onStart((info) => {
        state = createArenaState(info);
        replay.run({ step: (frame) => stepArena(state!, frame) });
      });
      const finished = once(replay.onEnd.bind(replay));
      replay.speed = 16;
      replay.play();
      await within(finished, "the replay's end");
      assert.equal(hashState(state), simulate(ann.match, ann.delivered), "the replay reaches the live match's final state");
      assert.equal(simulate(ben.match, ben.delivered), simulate(ann.match, ann.delivered));
      replay.close();
    });

    test("only the match's players and admins may download its replay; a match abandoned by everyone is stored too", async () => {
      const { ann, end } = await playMatch();
      const path = `/replays/${end.replayId}`;
      await eventually(async () => assert.equal((await call(server.url, path, { token: ann.token })).status, 200));
      const outsider = await new LockstepClient(server.url).loginAnonymous({ name: "Cy" });
      assert.equal((await call(server.url, path, { token: outsider.token })).status, 403, "another player's private match");
      assert.equal((await call(server.url, path)).status, 401, "no token");
      assert.equal((await call(server.url, path, { token: adminToken })).status, 200, "an admin");
      const mine = (await call(server.url, "/replays", { token: outsider.token })).body.replays as unknown[];
      assert.deepEqual(mine, [], "the outsider lists nothing");

      const left = await seat("Dee", undefined, { alone: true });
      const started = once(left.match.onStart.bind(left.match));
      left.match.ready();
      await within(started, "the start");
      await within(
        once<LockstepFrame<ArenaAction>>((listener) => left.match.onFrame((frame) => frame.frame >= 3 && listener(frame))),
        "frame 3",
      );
      await left.match.leave();
      const listed = await eventually(async () => {
        const page = (await call(server.url, "/replays?limit=100", { token: adminToken })).body.replays as {
          room_id: string;
          end_reason: string;
          players: { uid: string }[];
        }[];
        const found = page.find((replay) => replay.room_id === left.match.roomId);
        assert.ok(found !== undefined, "the abandoned match is listed");
        return found;
      });
      assert.equal(listed.end_reason, "abandoned");
      assert.deepEqual(
        listed.players.map((player) => player.uid),
        [left.match.you!.uid],
      );
      const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.ok(Number(/^lockstep_replays_stored_total (\d+)$/m.exec(await metrics.text())?.[1]) >= 3, "the metrics count the stored replays");
    });
  });
}
