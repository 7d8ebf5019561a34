// The bot driver: one process holding every simulated player of a run, on loopback only, for
// a bounded time. Reads its workload from BENCH_WORKLOAD (JSON) and the server from BENCH_URL;
// prints progress on stderr and, at the end, one JSON report on stdout.
import { Client as SdkClient, type Room as SdkRoom } from "@colyseus/sdk";
import { WebSocket } from "ws";
import { Histogram } from "../src/lockstep/histogram.ts";
import { ByteReader } from "../src/protocol/byte-reader.ts";
import { encodeAction } from "colyseus-lockstep/protocol";
import { BotStats } from "./bot-stats.ts";
import { ACTION_TYPE, makeInput, readInput, type Workload } from "./workload.ts";

const workload = JSON.parse(process.env.BENCH_WORKLOAD!) as Workload;
const url = process.env.BENCH_URL!;
const players = workload.rooms * workload.roomSize;

/** Colyseus protocol codes the raw bots speak (see @colyseus/shared-types). */
const JOIN_ROOM = 10;
const ROOM_DATA_BYTES = 17;
const SYNC_FRAME_TYPE = 1;

interface Bot {
  readonly stats: BotStats;
  close(): void;
}

/** Decodes a lockstep frame just enough: its number and the bot ids and sequences of its actions. */
function scanLockstepFrame(bytes: Uint8Array, offset: number, botId: number, stats: BotStats): void {
  const reader = new ByteReader(bytes, offset);
  const frame = reader.varuint();
  stats.frame(frame, bytes.byteLength);
  const count = reader.varuint();
  for (let i = 0; i < count; i++) {
    const header = reader.varuint();
    if (header % 2 === 1) {
      reader.u8();
      continue;
    }
    const payload = reader.bytesView(reader.varuint());
    // Actions are msgpack bin8: two header bytes, then the input.
    const input = readInput(payload, 2);
    if (input.botId === botId) stats.seen(input.sequence);
  }
}

/** A bot on a LockstepRoom, speaking the Colyseus wire protocol over raw `ws` (as light as a client can be). */
async function lockstepBot(botId: number, seat: { roomId: string; processId: string; sessionId: string }): Promise<Bot> {
  const stats = new BotStats();
  const host = new URL(url).host;
  const socket = new WebSocket(`ws://${host}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`);
  socket.binaryType = "nodebuffer";
  let sequence = 0;
  // One message buffer per bot, reused: [ROOM_DATA_BYTES][type][msgpack bin8 header][input].
  const action = encodeAction(makeInput(workload.inputBytes - 2, botId, 0));
  const message = Buffer.concat([Uint8Array.of(ROOM_DATA_BYTES, ACTION_TYPE), action]);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data: Buffer) => {
      const code = data[0];
      if (code === JOIN_ROOM) {
        socket.send(Uint8Array.of(JOIN_ROOM));
        resolve();
      } else if (code === ROOM_DATA_BYTES && data[1] === SYNC_FRAME_TYPE) {
        scanLockstepFrame(data, 2, botId, stats);
        message.writeUInt32BE(++sequence, 8);
        stats.sent(sequence);
        socket.send(message);
      }
    });
  });
  return { stats, close: () => socket.terminate() };
}

/** A bot on the bare relay: raw `ws`, hand-written frames. */
async function relayBot(botId: number): Promise<Bot> {
  const stats = new BotStats();
  const socket = new WebSocket(url.replace("http", "ws"));
  socket.binaryType = "nodebuffer";
  let sequence = 0;
  const input = Buffer.from(makeInput(workload.inputBytes, botId, 0));
  socket.on("message", (data: Buffer) => {
    stats.frame(data.readUInt32LE(0), data.byteLength);
    const count = data.readUInt8(4);
    let offset = 5;
    for (let i = 0; i < count; i++) {
      const length = data.readUInt8(offset + 1);
      const input = readInput(data, offset + 2);
      if (input.botId === botId) stats.seen(input.sequence);
      offset += 2 + length;
    }
    input.writeUInt32BE(++sequence, 4);
    stats.sent(sequence);
    socket.send(input);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { stats, close: () => socket.terminate() };
}

/** A bot on the schema room: the stock @colyseus/sdk, decoding state patches as a Colyseus game client does. */
function schemaBot(botId: number, room: SdkRoom): Bot {
  const stats = new BotStats();
  let sequence = 0;
  let lastSize = 0;
  const connection = room.connection as unknown as { events: { onmessage?: (event: MessageEvent) => void } };
  const original = connection.events.onmessage!;
  connection.events.onmessage = (event: MessageEvent) => {
    lastSize = (event.data as ArrayBuffer).byteLength;
    original(event);
  };
  let lastFrame = -1;
  room.onStateChange((state: { frame: number; inputs: { data: string }[] }) => {
    // Colyseus may notify a change that is not a new tick (e.g. the first full state): only new frames count.
    if (state.frame === lastFrame) return;
    lastFrame = state.frame;
    stats.frame(state.frame, lastSize);
    for (const input of state.inputs) {
      const decoded = readInput(new Uint8Array(Buffer.from(input.data, "base64")));
      if (decoded.botId === botId) stats.seen(decoded.sequence);
    }
    stats.sent(++sequence);
    room.sendBytes(ACTION_TYPE, makeInput(workload.inputBytes, botId, sequence));
  });
  return { stats, close: () => void room.leave(false) };
}

async function reserve(method: string, target: string, body: object): Promise<{ roomId: string; processId: string; sessionId: string }> {
  const response = await fetch(`${url}/matchmake/${method}/${target}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const seat = (await response.json()) as { roomId: string; processId: string; sessionId: string; error?: string };
  if (!response.ok) throw new Error(`matchmaking failed: ${JSON.stringify(seat)}`);
  return seat;
}

/** Fills one room: the first bot creates it, the others join it by id. */
async function fillRoom(firstId: number): Promise<Bot[]> {
  const size = workload.roomSize;
  if (workload.target === "relay") {
    const bots: Bot[] = [];
    for (let i = 0; i < size; i++) bots.push(await relayBot(firstId + i));
    return bots;
  }
  if (workload.target === "schema") {
    const sdk = new SdkClient(url);
    const first = await sdk.create("bench");
    const rest = await Promise.all(Array.from({ length: size - 1 }, () => new SdkClient(url).joinById(first.roomId)));
    return [first, ...rest].map((room, i) => schemaBot(firstId + i, room));
  }
  const seat = await reserve("create", "bench", {});
  const others = await Promise.all(Array.from({ length: size - 1 }, () => reserve("joinById", seat.roomId, {})));
  return Promise.all([seat, ...others].map((reservation, i) => lockstepBot(firstId + i, reservation)));
}

/** Rooms are filled a few at a time: enough to be quick, few enough not to measure connection storms. */
const ROOMS_IN_FLIGHT = 8;

const bots: Bot[] = [];
const startedAt = performance.now();
for (let room = 0; room < workload.rooms; room += ROOMS_IN_FLIGHT) {
  const batch = Array.from({ length: Math.min(ROOMS_IN_FLIGHT, workload.rooms - room) }, (_, i) => fillRoom((room + i) * workload.roomSize + 1));
  for (const filled of await Promise.all(batch)) bots.push(...filled);
  process.stderr.write(`\rconnecting: ${bots.length}/${players} players`);
}
process.stderr.write(`\rconnected ${bots.length} players in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);

const total = (pick: (stats: BotStats) => number): number => bots.reduce((sum, bot) => sum + pick(bot.stats), 0);
const progress = setInterval(() => {
  process.stderr.write(
    `\r${((performance.now() - startedAt) / 1000).toFixed(0)} s: ${total((stats) => stats.framesReceived)} frames received, ${total((stats) => stats.lost)} lost`,
  );
}, 1000);

await new Promise((resolve) => setTimeout(resolve, workload.warmupSeconds * 1000));
for (const bot of bots) bot.stats.reset();
const cpuBefore = process.cpuUsage();
const windowStart = performance.now();
process.stdout.write(`${JSON.stringify({ event: "window-start" })}\n`);
await new Promise((resolve) => setTimeout(resolve, workload.seconds * 1000));
const windowMs = performance.now() - windowStart;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(progress);
process.stderr.write("\n");

const latency = new Histogram();
for (const bot of bots) latency.merge(bot.stats.inputToFrame);
const frames = total((stats) => stats.framesReceived);
process.stdout.write(
  `${JSON.stringify({
    event: "report",
    players: bots.length,
    windowMs,
    botCpuMs: (cpu.user + cpu.system) / 1000,
    framesReceived: frames,
    framesPerSecond: frames / (windowMs / 1000),
    expectedFramesPerSecond: bots.length * workload.frameRate,
    lost: total((stats) => stats.lost),
    duplicated: total((stats) => stats.duplicated),
    bytesPerFrameMessage: frames === 0 ? 0 : total((stats) => stats.frameMessageBytes) / frames,
    wsHeaderBytesPerFrame: frames === 0 ? 0 : total((stats) => stats.wsHeaderBytes) / frames,
    inputToFrame: latency.summary(),
  })}\n`,
);
for (const bot of bots) bot.close();
process.exit(0);
