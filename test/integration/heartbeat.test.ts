import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { HeartbeatTransport } from "../../src/server/heartbeat-transport.ts";
import { createLockstepServer } from "../../src/server/create-server.ts";
import { StaggeredHeartbeat } from "../../src/server/staggered-heartbeat.ts";
import { TestPlayer } from "../support/player.ts";
import { FourPlayerRoom } from "../support/rooms.ts";

let http: Server;
let wss: WebSocketServer;
let url: string;
before(async () => {
  http = createServer();
  wss = new WebSocketServer({ server: http });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
after(async () => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  http.close();
});

async function connect(count: number, options: { autoPong?: boolean } = {}): Promise<WebSocket[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = new WebSocket(url, options);
      await once(socket, "open");
      return socket;
    }),
  );
}

test("a round of pings is spread over the interval instead of sent in one burst", async () => {
  const intervalMs = 600;
  const heartbeat = new StaggeredHeartbeat(wss, intervalMs);
  const clients = await connect(60);
  const firstPing = clients.map((socket) => once(socket, "ping").then(() => performance.now()));
  const times = (await Promise.all(firstPing)).sort((a, b) => a - b);
  heartbeat.stop();
  const span = times.at(-1)! - times[0]!;
  // In one burst all 60 would land within a few ms; dealt over 30 groups they span most of the interval.
  assert.ok(span > intervalMs / 2, `60 pings spanned ${span.toFixed(1)} ms of a ${intervalMs} ms interval`);
  assert.equal(heartbeat.size, 0, "stop forgets every connection");
  for (const socket of clients) socket.terminate();
});

test("a connection that stops answering is closed after the allowed misses; one that answers stays", async () => {
  const heartbeat = new StaggeredHeartbeat(wss, 150, 2);
  const [answering] = await connect(1);
  const [silent] = await connect(1, { autoPong: false });
  let answeredPings = 0;
  answering!.on("ping", () => answeredPings++);
  let silentPings = 0;
  silent!.on("ping", () => silentPings++);
  const [code] = (await once(silent!, "close")) as [number];
  assert.equal(code, 1006, "terminated, not closed politely: a dead peer would never answer a close either");
  assert.equal(silentPings, 2, "closed on the third round, after two unanswered pings");
  assert.ok(answeredPings >= 2, `the answering connection was pinged too (${answeredPings})`);
  assert.equal(answering!.readyState, WebSocket.OPEN);
  assert.equal(heartbeat.size, 1, "the closed connection is forgotten");
  heartbeat.stop();
  answering!.terminate();
});

test("the heartbeat refuses an interval or a miss count it cannot honour", () => {
  assert.throws(() => new StaggeredHeartbeat(wss, 0), RangeError);
  assert.throws(() => new StaggeredHeartbeat(wss, Number.NaN), RangeError);
  assert.throws(() => new StaggeredHeartbeat(wss, 1000, 0), RangeError);
});

test("the lockstep server's transport watches each connection with the staggered heartbeat", async () => {
  const server = await createLockstepServer({ rooms: { game: FourPlayerRoom }, port: 0, host: "127.0.0.1" });
  try {
    const player = await TestPlayer.join(server.url, "game");
    assert.ok(server.server.transport instanceof HeartbeatTransport);
    assert.equal(server.server.transport.watchedConnections, 1);
    await player.room.leave();
  } finally {
    await server.close();
  }
});
