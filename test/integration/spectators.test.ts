import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { BinaryMessage, ControlMessage, LockstepErrorCode, frameNumberOf } from "../../src/protocol/index.ts";
import { bootLockstep, testToken, type LockstepTestServer } from "../../src/testing/index.ts";
import { eventually } from "../support/eventually.ts";

const DELAY = 90;

/** Two players, three spectator places, spectators 90 frames behind. */
class WatchedRoom extends LockstepRoom<{ move: number }> {
  override lockstep: LockstepOptionsInput = {
    frameRate: 30,
    minPlayers: 2,
    maxPlayers: 2,
    maxSpectators: 3,
    spectatorDelayFrames: DELAY,
    // Thousands of frames pass in a second of wall clock here.
    maxMessagesPerSecond: 100_000,
  };
  /** Who started (+) and stopped (-) watching, in order, as the hooks saw it. */
  readonly watching: string[] = [];

  override onSpectatorJoin(spectator: { uid: string }): void {
    this.watching.push(`+${spectator.uid}`);
  }

  override onSpectatorLeave(spectator: { uid: string }): void {
    this.watching.push(`-${spectator.uid}`);
  }
}

/** The same room without spectator places (the default). */
class ClosedRoom extends WatchedRoom {
  override lockstep: LockstepOptionsInput = { minPlayers: 1, maxPlayers: 2 };
}

let server: LockstepTestServer;
before(async () => {
  server = await bootLockstep({ rooms: { watched: WatchedRoom, closed: ClosedRoom } });
});
after(async () => {
  await server.shutdown();
});

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

test("a spectator joining at frame 3,000 never gets a frame newer than 90 behind, sees the players' stream, cannot play and takes no seat", async () => {
  const match = await server.startMatch<WatchedRoom>("watched", { players: 2 });
  const [ann, ben] = match.players;
  ann!.act({ move: 1 });
  for (let batch = 0; batch < 30; batch++) await match.advance(100);
  assert.equal(match.room.lastFrame, 2999);

  const watcher = await server.join(match.room, testToken("watcher"), { spectate: true });
  const info = watcher.infos.items[0]!;
  assert.equal(info.spectator, true);
  assert.equal(info.spectator_delay_frames, DELAY);
  assert.equal(info.last_frame, 2999 - DELAY, "it may see up to 90 frames behind the newest");
  assert.deepEqual(
    info.players.map((player) => player.uid),
    [ann!.uid, ben!.uid],
    "the roster is the players'",
  );
  assert.equal(match.room.players.length, 2, "no seat taken");
  assert.equal(await ann!.spectators.wait(), 1, "the players are told how many watch");

  // Every frame that reaches the spectator's socket, with the server's newest frame at that moment.
  const arrivals: { frame: number; newest: number; hex: string }[] = [];
  watcher.room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => {
    arrivals.push({ frame: frameNumberOf(bytes), newest: match.room.lastFrame, hex: hex(bytes) });
  });
  const annFrames = new Map<number, string>();
  ann!.room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => annFrames.set(frameNumberOf(bytes), hex(bytes)));
  for (let round = 0; round < 20; round++) {
    ben!.act({ move: round });
    await match.advance(7);
  }
  await watcher.waitForFrame(match.room.lastFrame - DELAY);
  assert.ok(arrivals.length >= 140, `${arrivals.length} live frames`);
  for (const arrival of arrivals) {
    assert.ok(arrival.frame <= arrival.newest - DELAY, `frame ${arrival.frame} arrived when the newest was ${arrival.newest}`);
  }
  for (const arrival of arrivals.filter((entry) => annFrames.has(entry.frame))) {
    assert.equal(arrival.hex, annFrames.get(arrival.frame), `frame ${arrival.frame}: the same bytes as the players'`);
  }

  // Reloads keep the delay: the log up to the limit, nothing after it.
  const reload = (await watcher.room.request(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, { start_frame: 2900 })) as { end_frame: number };
  assert.equal(reload.end_frame, match.room.lastFrame - DELAY);
  await assert.rejects(
    watcher.room.request(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, { start_frame: 2900, end_frame: match.room.lastFrame }),
    (error: { reason?: { code?: string } }) => error.reason?.code === LockstepErrorCode.FRAME_OUT_OF_RANGE,
  );

  // It may not play.
  const errors = watcher.errors.items.length;
  watcher.act({ move: 99 });
  watcher.ready();
  const refused = await watcher.nextError();
  assert.equal(refused.code, LockstepErrorCode.SPECTATOR_CANNOT_PLAY);
  assert.match(refused.message, /spectators cannot send/);
  const frames = await match.advance(2);
  assert.ok(!frames.some((frame) => frame.actions.some((entry) => (entry.action as { move: number }).move === 99)), "its action reached no frame");
  assert.ok(watcher.errors.items.length > errors);

  // Spectator places are bounded on their own; players' seats are not touched.
  const second = await server.join(match.room, testToken("watcher-2"), { spectate: true });
  const third = await server.join(match.room, testToken("watcher-3"), { spectate: true });
  // Players and spectators together fill the room's Colyseus bound: matchmaking itself refuses the next one.
  await assert.rejects(server.join(match.room, testToken("watcher-4"), { spectate: true }), /locked/);
  assert.equal(match.room.inspect().spectators, 3);
  await second.leave();
  await third.leave();
  await eventually(() =>
    assert.deepEqual(match.room.watching, ["+watcher", "+watcher-2", "+watcher-3", "-watcher-2", "-watcher-3"], "the room's hooks saw them come and go"),
  );

  // At the end the held-back frames go out before match_end.
  match.room.endMatch({ winner: ann!.uid });
  const end = await watcher.ends.wait();
  assert.equal(watcher.lastFrame, end.last_frame, "the spectator got every frame up to the last");
  await match.leave();
});

test("a room without spectator places refuses spectators, and a full room of players still takes spectators", async () => {
  {
    const waiting = await server.createMatch<ClosedRoom>("closed", { players: 1 });
    await assert.rejects(server.join(waiting.room, testToken("watcher"), { spectate: true }), /does not accept spectators/);
    await waiting.leave();
    // Before the start, with every seat taken: one more player is refused, a spectator is not.
    const full = await server.createMatch<WatchedRoom>("watched", { players: 2 });
    await assert.rejects(server.join(full.room, testToken("third-player")), /full|locked/);
    const watcher = await server.join(full.room, testToken("early-watcher"), { spectate: true });
    assert.equal(watcher.infos.items[0]!.spectator, true);
    await full.start();
    assert.equal(await watcher.starts.wait().then((start) => start.players.length), 2, "the spectator sees the start");
    await watcher.leave();
    await full.leave();
  }
});
