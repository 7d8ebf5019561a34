import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer } from "../support/player.ts";
import { FourPlayerRoom } from "../support/rooms.ts";
import { startServer } from "../support/server.ts";

let server: LockstepServer;
before(async () => {
  server = await startServer({ four: FourPlayerRoom });
});
after(async () => {
  await server.close();
});

test("four players start and receive frames", async () => {
  const players = await Promise.all([0, 1, 2, 3].map(() => TestPlayer.join(server.url, "four")));
  for (const player of players) player.ready();
  const starts = await Promise.all(players.map((player) => player.starts.wait()));
  assert.equal(starts[0]!.players.length, 4);
  await Promise.all(players.map((player) => player.waitForFrame(10)));
  players[0]!.act({ kind: "move", n: 1 });
  const slot = await players[0]!.slot();
  const seen = await players[1]!.frames.wait((live) => live.frame.entries.some((e) => e.type === "action" && e.slot === slot));
  assert.ok(seen.frame.frame >= 0);
  await Promise.all(players.map((player) => player.room.leave()));
});
