// The bot driver: one process holding every simulated player of a run (and its spectators, see
// spectators.ts), on loopback only, for a bounded time. Reads its workload from BENCH_WORKLOAD
// (JSON) and the server from BENCH_URL; prints progress on stderr, a line on stdout at every
// window boundary (so the runner can read the server's side of the same window), and at the end
// one JSON report on stdout.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Client as SdkClient, type Room as SdkRoom } from "@colyseus/sdk";
import { encodeAction } from "colyseus-lockstep/protocol";
import { WebSocket, type ClientOptions } from "ws";
import { Histogram } from "../src/lockstep/histogram.ts";
import { BotStats } from "./bot-stats.ts";
import { ChecksumMessages, ROOM_DATA_BYTES, isChecksumFrame } from "./checksum-bot.ts";
import { lockstepFrameNumber, scanLockstepFrame, scanRelayFrame } from "./frame-scan.ts";
import { RoomProgress, SpectatorStats, spectatorDelayFrames, type SpectatorWindow } from "./spectators.ts";
import { ACTION_TYPE, makeInput, readInput, type Workload } from "./workload.ts";
import type { BotWindow } from "./run-workload.ts";

const workload = JSON.parse(process.env.BENCH_WORKLOAD!) as Workload;
const url = process.env.BENCH_URL!;
const players = workload.rooms * workload.roomSize;
const spectatorsPerRoom = workload.target === "lockstep" ? (workload.spectators ?? 0) : 0;
const spectatorCount = workload.rooms * spectatorsPerRoom;

/** Colyseus protocol codes the raw bots speak (see @colyseus/shared-types). */
const JOIN_ROOM = 10;
const SYNC_FRAME_TYPE = 1;

/** Every checked frame's `sync_checksum`, encoded once for all bots (LockstepRoom with checksums on). */
const checksumInterval = workload.checksumInterval ?? 0;
const checksums = new ChecksumMessages();

/**
 * Bots are as light as a client can be, so that they cost less than the server they measure:
 * raw `ws` (no SDK, no decoding of anything but the frame number and their own input), one
 * reused input buffer each, no UTF-8 validation, and an all-zero mask (loopback: masking
 * protects proxies, and `ws` skips the XOR pass for a zero mask).
 */
const SOCKET_OPTIONS: ClientOptions = { perMessageDeflate: false, skipUTF8Validation: true, generateMask: (mask) => void mask.fill(0) };

interface Bot {
  readonly stats: BotStats;
  close(): void;
}

interface SpectatorBot {
  readonly stats: SpectatorStats;
  readonly connected: () => boolean;
  close(): void;
}

/** A seat reserved by the matchmaker. */
interface Seat {
  readonly roomId: string;
  readonly processId: string;
  readonly sessionId: string;
}

/** The socket that takes a reserved seat in a Colyseus room. */
function seatSocket(seat: Seat): WebSocket {
  const socket = new WebSocket(`ws://${new URL(url).host}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`, SOCKET_OPTIONS);
  socket.binaryType = "nodebuffer";
  return socket;
}

/** A bot on a LockstepRoom, speaking the Colyseus wire protocol over raw `ws`; tells `roomProgress` each frame it got. */
async function lockstepBot(botId: number, seat: Seat, roomProgress: RoomProgress): Promise<Bot> {
  const stats = new BotStats(workload.frameRate);
  const socket = seatSocket(seat);
  let sequence = 0;
  // One message buffer per bot, reused: [ROOM_DATA_BYTES][type][msgpack bin8 header][input].
  const action = encodeAction(makeInput(workload.inputBytes - 2, botId, 0));
  const message = Buffer.concat([Uint8Array.of(ROOM_DATA_BYTES, ACTION_TYPE), action]);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data: Buffer) => {
      const now = performance.now();
      const code = data[0];
      if (code === JOIN_ROOM) {
        socket.send(Uint8Array.of(JOIN_ROOM));
        resolve();
      } else if (code === ROOM_DATA_BYTES && data[1] === SYNC_FRAME_TYPE) {
        const frame = scanLockstepFrame(data, 2, botId, stats, now);
        roomProgress.playerGot(frame, now);
        message.writeUInt32BE(++sequence, 8);
        stats.sent(sequence, now);
        socket.send(message);
        // A client steps the frame, then reports its state's hash: after the input, which is what players wait for.
        if (isChecksumFrame(frame, checksumInterval)) {
          socket.send(checksums.for(frame));
          stats.checksumsSent++;
        }
      }
    });
  });
  return { stats, close: () => socket.terminate() };
}

/**
 * A spectator bot on a LockstepRoom: it reads each frame's number and nothing else, and sends
 * nothing. Its arrivals are not timed as the players' are: its frames are late by design.
 */
async function spectatorBot(seat: Seat, roomProgress: RoomProgress): Promise<SpectatorBot> {
  const stats = new SpectatorStats(roomProgress);
  const socket = seatSocket(seat);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data: Buffer) => {
      const code = data[0];
      if (code === ROOM_DATA_BYTES && data[1] === SYNC_FRAME_TYPE) stats.frame(lockstepFrameNumber(data, 2));
      else if (code === JOIN_ROOM) {
        socket.send(Uint8Array.of(JOIN_ROOM));
        resolve();
      }
    });
  });
  return { stats, connected: () => socket.readyState === WebSocket.OPEN, close: () => socket.terminate() };
}

/** A bot on the bare relay: raw `ws`, hand-written frames. */
async function relayBot(botId: number): Promise<Bot> {
  const stats = new BotStats(workload.frameRate);
  const socket = new WebSocket(url.replace("http", "ws"), SOCKET_OPTIONS);
  socket.binaryType = "nodebuffer";
  let sequence = 0;
  const input = Buffer.from(makeInput(workload.inputBytes, botId, 0));
  socket.on("message", (data: Buffer) => {
    const now = performance.now();
    scanRelayFrame(data, botId, stats, now);
    input.writeUInt32BE(++sequence, 4);
    stats.sent(sequence, now);
    socket.send(input);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { stats, close: () => socket.terminate() };
}

/**
 * A bot on the schema room: the stock @colyseus/sdk, decoding state patches as a Colyseus game
 * client must (a schema patch cannot be read without its decoder). The arrival time is taken
 * when the message comes off the socket, before decoding.
 */
function schemaBot(botId: number, room: SdkRoom): Bot {
  const stats = new BotStats(workload.frameRate);
  let sequence = 0;
  let lastSize = 0;
  let arrivedAt = 0;
  const connection = room.connection as unknown as { events: { onmessage?: (event: MessageEvent) => void } };
  const original = connection.events.onmessage!;
  connection.events.onmessage = (event: MessageEvent) => {
    arrivedAt = performance.now();
    lastSize = (event.data as ArrayBuffer).byteLength;
    original(event);
  };
  let lastFrame = -1;
  room.onStateChange((state: { frame: number; inputs: { data: string }[] }) => {
    // Colyseus may notify a change that is not a new tick (e.g. the first full state): only new frames count.
    if (state.frame === lastFrame) return;
    lastFrame = state.frame;
    stats.frame(state.frame, lastSize, arrivedAt);
    for (const input of state.inputs) {
      const decoded = readInput(new Uint8Array(Buffer.from(input.data, "base64")));
      if (decoded.botId === botId) stats.seen(decoded.sequence, arrivedAt);
    }
    stats.sent(++sequence, arrivedAt);
    room.sendBytes(ACTION_TYPE, makeInput(workload.inputBytes, botId, sequence));
  });
  return { stats, close: () => void room.leave(false) };
}

async function reserve(method: string, target: string, body: object): Promise<Seat> {
  const response = await fetch(`${url}/matchmake/${method}/${target}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const seat = (await response.json()) as { roomId: string; processId: string; sessionId: string; error?: string };
  if (!response.ok) throw new Error(`matchmaking failed: ${JSON.stringify(seat)}`);
  return seat;
}

/** The bots of one room: its players, and its spectators (LockstepRoom only). */
interface FilledRoom {
  /** LockstepRoom only: what checks its spectators. */
  readonly roomProgress?: RoomProgress;
  readonly players: Bot[];
  readonly spectators: SpectatorBot[];
}

/** Fills one room: the first bot creates it, the others join it by id, then (the match started) its spectators. */
async function fillRoom(firstId: number): Promise<FilledRoom> {
  const size = workload.roomSize;
  if (workload.target === "relay") {
    const bots: Bot[] = [];
    for (let i = 0; i < size; i++) bots.push(await relayBot(firstId + i));
    return { players: bots, spectators: [] };
  }
  if (workload.target === "schema") {
    const sdk = new SdkClient(url);
    const first = await sdk.create("bench");
    const rest = await Promise.all(Array.from({ length: size - 1 }, () => new SdkClient(url).joinById(first.roomId)));
    return { players: [first, ...rest].map((room, i) => schemaBot(firstId + i, room)), spectators: [] };
  }
  const seat = await reserve("create", "bench", {});
  const others = await Promise.all(Array.from({ length: size - 1 }, () => reserve("joinById", seat.roomId, {})));
  const roomProgress = new RoomProgress(spectatorDelayFrames(workload.frameRate), workload.frameRate);
  const seated = await Promise.all([seat, ...others].map((reservation, i) => lockstepBot(firstId + i, reservation, roomProgress)));
  const watchers = await Promise.all(Array.from({ length: spectatorsPerRoom }, () => reserve("joinById", seat.roomId, { spectate: true })));
  return { roomProgress, players: seated, spectators: await Promise.all(watchers.map((watcher) => spectatorBot(watcher, roomProgress))) };
}

/** Rooms are filled a few at a time: enough to be quick, few enough not to measure connection storms. */
const ROOMS_IN_FLIGHT = 8;

const bots: Bot[] = [];
const spectators: SpectatorBot[] = [];
const rooms: RoomProgress[] = [];
const startedAt = performance.now();
const watching = spectatorCount > 0 ? ` and ${spectatorCount} spectators` : "";
for (let room = 0; room < workload.rooms; room += ROOMS_IN_FLIGHT) {
  const batch = Array.from({ length: Math.min(ROOMS_IN_FLIGHT, workload.rooms - room) }, (_, i) => fillRoom((room + i) * workload.roomSize + 1));
  for (const filled of await Promise.all(batch)) {
    bots.push(...filled.players);
    spectators.push(...filled.spectators);
    if (filled.roomProgress !== undefined) rooms.push(filled.roomProgress);
  }
  const watchers = spectatorCount > 0 ? `, ${spectators.length}/${spectatorCount} spectators` : "";
  process.stderr.write(`\rconnecting: ${bots.length}/${players} players${watchers}`);
}
process.stderr.write(`\rconnected ${bots.length} players${watching} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);

const total = (pick: (stats: BotStats) => number): number => bots.reduce((sum, bot) => sum + pick(bot.stats), 0);
const spectatorTotal = (pick: (stats: SpectatorStats) => number): number => spectators.reduce((sum, bot) => sum + pick(bot.stats), 0);
const progress = setInterval(() => {
  process.stderr.write(
    `\r${((performance.now() - startedAt) / 1000).toFixed(0)} s: ${total((stats) => stats.framesReceived)} frames received, ${total((stats) => stats.lost)} lost` +
      (spectatorCount > 0 ? `; spectators: ${spectatorTotal((stats) => stats.framesReceived)} frames` : ""),
  );
}, 1000);

/** The spectators' window of `windowMs`; undefined in runs without spectators. */
function spectatorWindow(windowMs: number): SpectatorWindow | undefined {
  if (spectatorCount === 0) return undefined;
  const frames = spectatorTotal((stats) => stats.framesReceived);
  return {
    joined: spectators.length,
    connected: spectators.filter((bot) => bot.connected()).length,
    framesReceived: frames,
    framesPerSecond: frames / (windowMs / 1000),
    lost: spectatorTotal((stats) => stats.lost),
    duplicated: spectatorTotal((stats) => stats.duplicated),
    tooNew: rooms.reduce((sum, room) => sum + room.tooNew, 0),
  };
}
const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

await sleep(workload.warmupSeconds);
// How late this process's own event loop ran: a busy bot delays what it measures.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
const windows: Omit<BotWindow, "arrival" | "stalls">[] = [];
for (let index = 0; index < workload.windows; index++) {
  for (const bot of bots) bot.stats.startWindow();
  for (const bot of spectators) bot.stats.startWindow();
  for (const room of rooms) room.tooNew = 0;
  loopDelay.reset();
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const windowStart = performance.now();
  process.stdout.write(`${JSON.stringify({ event: "window-start", index })}\n`);
  await sleep(workload.seconds);
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  for (const bot of bots) bot.stats.arrival.stopWindow();
  const watched = spectatorWindow(windowMs);
  const inputToFrame = new Histogram();
  for (const bot of bots) inputToFrame.merge(bot.stats.inputToFrame);
  const frames = total((stats) => stats.framesReceived);
  windows.push({
    windowMs,
    botCpuMs: (cpu.user + cpu.system) / 1000,
    botLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    framesReceived: frames,
    framesPerSecond: frames / (windowMs / 1000),
    lost: total((stats) => stats.lost),
    duplicated: total((stats) => stats.duplicated),
    bytesPerFrameMessage: frames === 0 ? 0 : total((stats) => stats.frameMessageBytes) / frames,
    wsHeaderBytesPerFrame: frames === 0 ? 0 : total((stats) => stats.wsHeaderBytes) / frames,
    inputToFrame: inputToFrame.summary(),
    checksumsSent: total((stats) => stats.checksumsSent),
    ...(watched !== undefined ? { spectators: watched } : {}),
  });
}
process.stdout.write(`${JSON.stringify({ event: "windows-done" })}\n`);
clearInterval(progress);
process.stderr.write("\n");

// Arrival lateness is computed once the run is over: each bot's best arrival is over the whole run.
const report: BotWindow[] = windows.map((window, index) => {
  const arrival = new Histogram();
  let stalls = 0;
  for (const bot of bots) stalls += bot.stats.arrival.lateness(index, arrival);
  return { ...window, arrival: arrival.summary(), stalls };
});
process.stdout.write(
  `${JSON.stringify({ event: "report", players: bots.length, expectedFramesPerSecond: bots.length * workload.frameRate, windows: report })}\n`,
);
for (const bot of bots) bot.close();
for (const bot of spectators) bot.close();
process.exit(0);
