import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  LockstepClient,
  hashState,
  loadReplay,
  type LockstepFrame,
  type LockstepMatch,
  type MatchEnd,
  type MatchInfo,
  type RunHandle,
} from "../../client-sdk/src/index.ts";
import type { ArenaAction, ArenaRoom } from "../../demo/arena-room.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import { createArenaState, hashArenaParts, stepArena, type ArenaState } from "../../demo/web/arena-sim.ts";
import { openReplayStore } from "../../src/accounts/replay-store.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { checksumParts, readReplayDocument, wholeStateHash } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import type { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import { eventually } from "../support/eventually.ts";
import { serverRoom } from "../support/server.ts";
import { once, within } from "../support/sdk-match.ts";

/** The arena checks every 30 frames; a snapshot is taken at most every 30: about one per check. */
const SNAPSHOT_INTERVAL = 30;
/** Frames played before the match is ended: 5 s at the arena's 20 Hz, several snapshots. */
const MATCH_FRAMES = 100;

let server: LockstepServer;
let store: SqlUserStore;

before(async () => {
  store = await SqlUserStore.open(await openEmbeddedDatabase());
  server = await startDemoServer({
    store,
    replays: await openReplayStore(store),
    config: loadSecurityConfig({ JWT_SECRET: "replay-snapshot-test-secret-with-enough-characters" }),
    arena: { snapshotIntervalFrames: SNAPSHOT_INTERVAL },
    port: 0,
    host: "127.0.0.1",
  });
});

after(async () => {
  await server?.close();
  await store?.close();
});

/** A guest running the demo's game as its page does: hashes checked by the server, its state uploaded when a snapshot is asked. */
interface Player {
  readonly token: string;
  readonly match: LockstepMatch<ArenaAction>;
  /** Every frame the SDK delivered, in order. */
  readonly delivered: LockstepFrame<ArenaAction>[];
  state: ArenaState | undefined;
  /** The game loop (it keeps ticking after the match until stopped). */
  run: RunHandle | undefined;
}

async function join(name: string, roomId?: string): Promise<Player> {
  const client = new LockstepClient(server.url);
  const { token } = await client.loginAnonymous({ name });
  const match = roomId === undefined ? await client.create<ArenaRoom>("arena") : await client.joinById<ArenaRoom>(roomId);
  const player: Player = { token, match, delivered: [], state: undefined, run: undefined };
  match.onFrame((frame) => player.delivered.push(frame));
  match.onStart((info) => {
    const state = createArenaState(info);
    player.state = state;
    player.run = match.run({ step: (frame) => stepArena(state, frame) }, { hash: () => hashArenaParts(state), dump: () => state, clock: "timer" });
  });
  return player;
}

const wholeHash = (state: ArenaState): string => wholeStateHash(checksumParts(hashArenaParts(state)));

test("a replay keeps the match's verified snapshots, and its player seeks from them to the same states as straight play", async () => {
  const ann = await join("Ann");
  const ben = await join("Ben", ann.match.roomId);
  const started = Promise.all([once(ann.match.onStart.bind(ann.match)), once(ben.match.onStart.bind(ben.match))]);
  ann.match.ready();
  ben.match.ready();
  await within(started, "the start");
  // Played until at least two snapshots are verified (the room says which), however slow the machine.
  const room = serverRoom<LockstepRoom>(ann.match.roomId);
  const verified = new Set<number>();
  for (let move = 0; ann.state === undefined || ann.state.frame < MATCH_FRAMES || verified.size < 2; move++) {
    assert.ok((ann.state?.frame ?? 0) < 10 * MATCH_FRAMES, `only snapshots ${[...verified].join(", ")} were verified by frame ${ann.state?.frame}`);
    ann.match.sendAction({ type: "move", dx: move % 2 === 0 ? 1 : -1, dy: 0 });
    ben.match.sendAction({ type: "move", dx: 0, dy: move % 3 === 0 ? 1 : -1 });
    const target = (ann.match.lastFrame ?? 0) + 5;
    await within(
      once((listener) => ann.match.onFrame((frame) => frame.frame >= target && listener(frame))),
      `frame ${target}`,
    );
    const snapshot = room.inspect().snapshot_frame;
    if (snapshot !== undefined) verified.add(snapshot);
  }
  const ends = Promise.all([once<MatchEnd>(ann.match.onEnd.bind(ann.match)), once<MatchEnd>(ben.match.onEnd.bind(ben.match))]);
  ann.match.sendAction({ type: "end" });
  const [end] = await within(ends, "the end of the match");
  await eventually(() => assert.equal(ann.state!.frame, end.lastFrame, "Ann stepped the last frame"));
  const liveFinal = hashState(ann.state);
  for (const player of [ann, ben]) player.run?.stop();

  const url = `${server.url}/replays/${end.replayId}`;
  const bytes = await eventually(async () => {
    const answer = await fetch(url, { headers: { authorization: `Bearer ${ben.token}` } });
    assert.equal(answer.status, 200);
    return new Uint8Array(await answer.arrayBuffer());
  });
  const document = await readReplayDocument(bytes);
  const snapshots = document.snapshots ?? [];
  assert.ok(snapshots.length >= 2, `snapshots kept: ${snapshots.map((snapshot) => snapshot.frame).join(", ")}`);
  for (const frame of verified)
    assert.ok(
      snapshots.some((snapshot) => snapshot.frame === frame),
      `the verified snapshot of frame ${frame} is in the replay`,
    );
  const recorded = new Map(document.checksums.map(({ frame, hash }) => [frame, hash]));
  for (const snapshot of snapshots) {
    assert.equal(
      wholeHash(JSON.parse(snapshot.state) as ArenaState),
      recorded.get(snapshot.frame),
      `snapshot ${snapshot.frame} is the state every player agreed on`,
    );
  }

  // The replay, played by the same game code with `load`, as a page that can start late does.
  const replay = await loadReplay<ArenaAction>(bytes, { clock: "timer" });
  let state: ArenaState | undefined;
  const starts: MatchInfo[] = [];
  replay.onStart((info) => {
    starts.push(info);
    const fresh = createArenaState(info);
    state = fresh;
    replay.run({ step: (frame) => stepArena(fresh, frame) }, { hash: () => hashArenaParts(fresh), load: (saved) => Object.assign(fresh, saved as ArenaState) });
  });
  const mismatches: unknown[] = [];
  replay.onMismatch((mismatch) => mismatches.push(mismatch));
  const last = snapshots.at(-1)!;
  replay.seek(end.lastFrame);
  assert.equal(replay.startedFrom, last.frame < end.lastFrame ? last.frame : snapshots.at(-2)!.frame, "to the end from the last snapshot before it");
  assert.equal(starts.at(-1)!.snapshot?.frame, replay.startedFrom);
  assert.equal(hashState(state), liveFinal, "the live match's final state");

  // The live match's state after each frame (Ann's frames, stepped from the seed), against seeks that start from each snapshot.
  const live = new Map<number, string>();
  const plain = createArenaState(ann.match.info!);
  for (const frame of ann.delivered) {
    stepArena(plain, frame);
    live.set(frame.frame, hashState(plain));
  }
  for (const snapshot of snapshots.filter((entry) => entry.frame + 3 <= end.lastFrame)) {
    replay.seek(snapshot.frame + 3);
    assert.equal(replay.startedFrom, snapshot.frame);
    assert.equal(hashState(state), live.get(snapshot.frame + 3), `3 frames after snapshot ${snapshot.frame}`);
  }
  assert.deepEqual(mismatches, [], "every loaded snapshot and every checked frame after it hashes as recorded");
  assert.ok(replay.verifiedFrames > 0);
  replay.close();
});
