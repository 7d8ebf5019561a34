// The server under test for target "relay": the least a lockstep relay can do. Bare `ws`,
// players grouped by arrival, inputs collected per room, one hand-written binary frame per
// room per tick on absolute deadlines (phases spread like LockstepRoom's), the same bytes
// sent to every player.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { FrameScheduler } from "../../src/lockstep/frame-scheduler.ts";
import { Histogram } from "../../src/lockstep/histogram.ts";
import { PhaseBalancer } from "../../src/lockstep/phase-balancer.ts";
import { WindowStats, handleStatsRequest } from "./stats-route.ts";

const roomSize = Number(process.env.ROOM_SIZE ?? 4);
const frameRate = Number(process.env.FRAME_RATE ?? 30);

interface RelayRoom {
  readonly sockets: WebSocket[];
  inputs: { slot: number; bytes: Uint8Array }[];
  inputBytes: number;
  frame: number;
}

const rooms: RelayRoom[] = [];
const lateness = new Histogram();
const stats = new WindowStats(lateness);
const phases = new PhaseBalancer();

function closeFrame(room: RelayRoom, lateMs: number): void {
  lateness.record(lateMs);
  // [u32 frame][u8 count] then [u8 slot][u8 length][input] per input.
  const buffer = Buffer.allocUnsafe(5 + room.inputs.length * 2 + room.inputBytes);
  buffer.writeUInt32LE(room.frame++, 0);
  buffer.writeUInt8(room.inputs.length, 4);
  let offset = 5;
  for (const input of room.inputs) {
    buffer.writeUInt8(input.slot, offset);
    buffer.writeUInt8(input.bytes.byteLength, offset + 1);
    buffer.set(input.bytes, offset + 2);
    offset += 2 + input.bytes.byteLength;
  }
  room.inputs = [];
  room.inputBytes = 0;
  for (const socket of room.sockets) socket.send(buffer);
}

const http = createServer((request, response) => {
  if (!handleStatsRequest(stats, request.url, (body) => response.writeHead(200, { "content-type": "application/json" }).end(body))) {
    response.writeHead(404).end();
  }
});
const wss = new WebSocketServer({ server: http, maxPayload: 4096 });
wss.on("connection", (socket) => {
  let room = rooms.at(-1);
  if (room === undefined || room.sockets.length >= roomSize) {
    room = { sockets: [], inputs: [], inputBytes: 0, frame: 0 };
    rooms.push(room);
  }
  const target = room;
  const slot = target.sockets.push(socket) - 1;
  // Each room ticks on its own absolute deadlines from when it is full, phases spread as LockstepRoom's are.
  if (target.sockets.length === roomSize) {
    const scheduler = new FrameScheduler({ frameRate, startFrame: 0, onFrame: (_frame, lateMs) => closeFrame(target, lateMs) });
    scheduler.start(phases.acquire(frameRate, performance.now()).startAt);
  }
  // Named so that profiles (`npm run bench:perf`) can tell the relay's input work from the rest.
  socket.on("message", function relayInput(data: Buffer) {
    target.inputs.push({ slot, bytes: data });
    target.inputBytes += data.byteLength;
  });
});
http.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => console.log(`bench server ready on ${(http.address() as AddressInfo).port}`));

// A clean exit on SIGINT lets `node --cpu-prof` write its profile.
process.once("SIGINT", () => process.exit(0));
