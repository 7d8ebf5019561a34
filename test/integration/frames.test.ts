import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ControlMessage, LockstepErrorCode, decodeAction, type FrameAction } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer, hex } from "../support/player.ts";
import { FourPlayerRoom, type TestAction } from "../support/rooms.ts";
import { serverRoom, startServer } from "../support/server.ts";

const ACTIONS_PER_PLAYER = 15;

let server: LockstepServer;
let players: TestPlayer[];
let slots: number[];
let lastFrame: number;

before(async () => {
  server = await startServer({ four: FourPlayerRoom });
  players = [];
  // Sequential joins: joinOrCreate puts all four in the same room.
  for (let i = 0; i < 4; i++) players.push(await TestPlayer.join(server.url, "four", { name: `p${i}` }));
  slots = await Promise.all(players.map((player) => player.slot()));
  for (const player of players) player.ready();
  await Promise.all(players.map((player) => player.starts.wait()));

  // Every player sends numbered moves, one per frame it sees, all at the same time.
  await Promise.all(
    players.map(async (player, index) => {
      for (let n = 0; n < ACTIONS_PER_PLAYER; n++) {
        const seen = player.frames.items.at(-1)?.frame.frame ?? -1;
        player.act({ kind: "move", n, pad: `player-${index}` });
        await player.waitForFrame(seen + 1);
      }
    }),
  );
  // Wait until every last move is in a frame, then two frames more, on every client.
  const lastMoves = await Promise.all(
    slots.map((slot) =>
      players[0]!.frames.wait((live) =>
        live.frame.entries.some(
          (entry) => entry.type === "action" && entry.slot === slot && (decodeAction<TestAction>(entry.payload) as { n?: number }).n === ACTIONS_PER_PLAYER - 1,
        ),
      ),
    ),
  );
  lastFrame = Math.max(...lastMoves.map((live) => live.frame.frame)) + 2;
  await Promise.all(players.map((player) => player.waitForFrame(lastFrame)));
});

after(async () => {
  await server.close();
});

test("match_start gives every player the same roster, seed, rate and first frame", () => {
  const starts = players.map((player) => player.starts.items[0]!);
  for (const start of starts) assert.deepEqual(start, starts[0]);
  const start = starts[0]!;
  assert.equal(start.frame_rate, 60);
  assert.equal(start.start_frame, 0);
  assert.ok(Number.isInteger(start.seed) && start.seed >= 0 && start.seed < 2 ** 32);
  assert.deepEqual(start.players.map((player) => player.slot).sort(), [0, 1, 2, 3]);
  assert.deepEqual(new Set(start.players.map((player) => player.name)), new Set(["p0", "p1", "p2", "p3"]));
});

test("all four clients receive byte-identical, gap-free frame streams", () => {
  const reference = players[0]!.liveBytes(0, lastFrame).map(hex);
  assert.equal(reference.length, lastFrame + 1, "frames 0..last, each once");
  for (const player of players) {
    const numbers = player.frames.items.map((live) => live.frame.frame).filter((frame) => frame <= lastFrame);
    assert.deepEqual(
      numbers,
      Array.from({ length: lastFrame + 1 }, (_, i) => i),
      "consecutive, no gap, no repeat",
    );
    assert.deepEqual(player.liveBytes(0, lastFrame).map(hex), reference);
  }
});

test("every action appears exactly once, in the same frame for everyone, stamped with its sender's slot", () => {
  const occurrences = new Map<string, number[]>();
  for (const live of players[0]!.frames.items) {
    for (const entry of live.frame.entries) {
      if (entry.type !== "action") continue;
      const action = decodeAction<{ n: number; pad: string }>((entry as FrameAction).payload);
      assert.equal(action.pad, `player-${slots.indexOf(entry.slot)}`, "slot comes from the sender's session");
      const key = `${entry.slot}:${action.n}`;
      occurrences.set(key, [...(occurrences.get(key) ?? []), live.frame.frame]);
    }
  }
  assert.equal(occurrences.size, 4 * ACTIONS_PER_PLAYER);
  for (const [key, frames] of occurrences) assert.equal(frames.length, 1, `action ${key} appeared in frames ${frames}`);
});

test("the server's frame observer sees the same actions with the senders' uids", () => {
  const room = serverRoom<FourPlayerRoom>(players[0]!.room.roomId);
  const uidBySlot = new Map(players[0]!.starts.items[0]!.players.map((player) => [player.slot, player.uid]));
  const observed = room.closedFrames.filter((frame) => frame.frame <= lastFrame).flatMap((frame) => frame.actions);
  assert.equal(observed.length, 4 * ACTIONS_PER_PLAYER);
  for (const entry of observed) assert.equal(entry.uid, uidBySlot.get(entry.slot));
  assert.deepEqual(new Set(uidBySlot.values()), new Set(players.map((player) => player.room.sessionId)), "open rooms use the session as uid");
});

test("a reload from frame 0 reproduces the live stream exactly, in several chunks", async () => {
  const before = players[1]!.reloaded.items.length;
  const { response, frames } = await players[1]!.reload(0, lastFrame, 41);
  assert.deepEqual(frames.map(hex), players[1]!.liveBytes(0, lastFrame).map(hex));
  assert.deepEqual(response, { request_id: 41, start_frame: 0, end_frame: lastFrame, frames: lastFrame + 1, chunks: Math.ceil((lastFrame + 1) / 5) });
  const chunks = players[1]!.reloaded.items.slice(before);
  assert.ok(chunks.length > 1);
  assert.deepEqual(
    chunks.map((chunk) => chunk.final),
    chunks.map((_, i) => i === chunks.length - 1),
  );
});

test("a reload sent without request/response is answered with chunks carrying its request_id", async () => {
  const player = players[2]!;
  player.room.send(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, { start_frame: 3, end_frame: 9, request_id: 77 });
  await player.reloaded.wait((chunk) => chunk.requestId === 77 && chunk.final);
  const frames = player.reloaded.items.filter((chunk) => chunk.requestId === 77).flatMap((chunk) => chunk.frames);
  assert.deepEqual(frames.map(hex), player.liveBytes(3, 9).map(hex));
});

test("out-of-range and malformed reload requests get clear errors", async () => {
  const player = players[3]!;
  await assert.rejects(player.reload(lastFrame + 10_000), (error: Error & { reason?: { code: string; message: string } }) => {
    assert.equal(error.name, "rejected");
    assert.equal(error.reason?.code, LockstepErrorCode.FRAME_OUT_OF_RANGE);
    assert.match(error.reason?.message ?? "", /not all closed yet/);
    return true;
  });
  player.room.send(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, { start_frame: -1 });
  const invalid = await player.errors.wait((error) => error.code === LockstepErrorCode.INVALID_REQUEST);
  assert.equal(invalid.type, ControlMessage.SYNC_REQUEST_RELOAD_FRAMES);
  player.room.send(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, { start_frame: 1_000_000 });
  const range = await player.errors.wait((error) => error.code === LockstepErrorCode.FRAME_OUT_OF_RANGE);
  assert.match(range.message, /last closed frame/);
});

test("endMatch broadcasts the result and last frame, then closes every client and disposes the room", async () => {
  const room = serverRoom<FourPlayerRoom>(players[0]!.room.roomId);
  players[2]!.act({ kind: "end", winner: "p2" });
  const ends = await Promise.all(players.map((player) => player.ends.wait()));
  for (const end of ends) assert.deepEqual(end, ends[0]);
  assert.equal(ends[0]!.reason, "ended");
  assert.deepEqual(ends[0]!.result, { winner: "p2" });
  for (const player of players) {
    assert.equal(player.frames.items.at(-1)!.frame.frame, ends[0]!.last_frame, "every frame up to the end arrived before match_end");
  }
  const codes = await Promise.all(players.map((player) => player.closes.wait()));
  assert.deepEqual(codes, [4000, 4000, 4000, 4000]);
  await room.disposed;
  assert.equal(room.phase, "ended");
});
