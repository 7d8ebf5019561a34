// npm run bench:reload -- [--minutes 10,60] [--rate 30] [--players 4] [--windows 3] [--snapshot-every 300] [--step-us 0]
// What a page reload costs a player in a long match, from the frame log and from a verified
// snapshot. The demo's game (its room, its state, its hash in parts) runs with raw players of the
// testing kit, who move, send checksums and answer snapshot requests, so minutes of a match pass
// in seconds. At each length, one player's connection is cut (a reload) and a real SDK client
// takes the seat back with its reconnection token, once without snapshots (the whole log) and
// once with them (the latest verified snapshot plus the frames after it), `--windows` times each.
// Reported, median (lowest–highest) over the windows: the bytes the server wrote to the
// reloading page's socket, the time until the last frame reached the SDK, the time until the
// SDK's default runner (16 steps per tick, timer clock) had stepped it, and how many frames it
// stepped. `--step-us` makes every step of the reloading page cost that much more CPU, as a
// heavier game's simulation would (the demo's step takes about a microsecond).
import type { WebSocket } from "ws";
import { LockstepClient, type LockstepMatch, type MatchInfo } from "colyseus-lockstep-client";
import { bootLockstep, testToken, type TestMatch } from "colyseus-lockstep/testing";
import { ARENA_SETTINGS, ArenaRoom, type ArenaAction } from "../demo/arena-room.ts";
import { createArenaState, stepArena, type ArenaState } from "../demo/web/arena-sim.ts";
import { ArenaTable } from "./arena-table.ts";
import { parseCommandLine, usageError } from "./command-line.ts";
import { formatSpread, spreadOf, type Spread } from "./report.ts";

const command = {
  usage: "npm run bench:reload -- [options]",
  about: `What a page reload costs a player in a long match: the demo's game runs with raw players of the testing
kit, and at each length one player reloads and a real SDK client takes the seat back, from the whole frame
log and from the latest verified snapshot. Reports, median (lowest–highest) over the windows, the bytes sent
to the reloading page, the time until its last frame arrived and was stepped, and the frames it stepped.`,
  options: {
    minutes: { type: "string", default: "10,60" },
    rate: { type: "string", default: "30" },
    players: { type: "string", default: "4" },
    windows: { type: "string", default: "3" },
    "snapshot-every": { type: "string", default: "300" },
    "step-us": { type: "string", default: "0" },
  },
  help: {
    minutes: "match lengths at which a player reloads, increasing, comma-separated, in minutes",
    rate: "frame rate, in Hz",
    players: "players in the match",
    windows: "reloads measured at each length, with and without snapshots",
    "snapshot-every": "frames between snapshots (the room's snapshotIntervalFrames)",
    "step-us": "extra CPU each step of the reloading page costs, in microseconds, as a heavier game's would",
  },
} as const;
const { values } = parseCommandLine(command);
const lengths = values.minutes.split(",").map(Number);
const rate = Number(values.rate);
const players = Number(values.players);
const windows = Number(values.windows);
const snapshotEvery = Number(values["snapshot-every"]);
const stepUs = Number(values["step-us"]);

/** Spends `stepUs` of CPU, as a heavier game's step would. */
function extraStepCost(): void {
  if (stepUs <= 0) return;
  const until = performance.now() + stepUs / 1000;
  while (performance.now() < until) {
    // busy: the cost of a heavier simulation
  }
}
if (lengths.some((minutes) => !(minutes > 0)) || [...lengths].sort((a, b) => a - b).join() !== lengths.join()) {
  usageError(command, `--minutes takes increasing lengths in minutes, e.g. 10,60, got ${values.minutes}`);
}

/** The demo's room at the measured rate, with the match's players and long windows: the clock is the bench's, not the wall's. */
class MeasuredArena extends ArenaRoom {
  override lockstep = {
    ...ARENA_SETTINGS,
    frameRate: rate,
    minPlayers: players,
    maxPlayers: players,
    snapshotIntervalFrames: snapshotEvery,
    // Minutes of frames (and their checksums) pass in seconds of wall clock here.
    maxMessagesPerSecond: 100_000,
    // The reloading player's seat waits while the match is played on to the next length.
    reconnectWindowSeconds: 3600,
  };
}

/** One reload, as the reloading page sees it. */
interface Reload {
  readonly bytes: number;
  readonly receivedMs: number;
  readonly caughtUpMs: number;
  readonly steps: number;
  readonly snapshotFrame: number | undefined;
  /** The token the next reload of this seat uses. */
  readonly nextToken: string;
}

const server = await bootLockstep({ rooms: { arena: MeasuredArena } });
const match = (await server.startMatch<MeasuredArena>("arena", { players })) as TestMatch<MeasuredArena>;
const table = new ArenaTable(match);
const reloading = players - 1;
const others = Array.from({ length: players - 1 }, (_, index) => index);
const uid = match.players[reloading]!.uid;

/** Cuts the connection of session `sessionId` as a closing tab does (no consent: the seat is held). */
function cut(sessionId: string): void {
  const client = match.room.clients.find((candidate) => candidate.sessionId === sessionId);
  if (client === undefined) throw new Error(`session ${sessionId} is not connected`);
  (client.ref as unknown as WebSocket).terminate();
}

/** Bytes the server has written to session `sessionId`'s socket so far (frames, messages and WebSocket framing). */
function bytesWritten(sessionId: string): number {
  const client = match.room.clients.find((candidate) => candidate.sessionId === sessionId);
  return (client?.ref as unknown as { _socket?: { bytesWritten: number } } | undefined)?._socket?.bytesWritten ?? Number.NaN;
}

async function reload(token: string, snapshots: boolean): Promise<Reload> {
  const last = match.room.lastFrame;
  const client = new LockstepClient(server.url, { token: testToken(uid), snapshots, autoReconnect: false });
  const began = performance.now();
  const resumed: LockstepMatch<ArenaAction> = await client.reconnect<ArenaAction>(token);
  const info = await new Promise<MatchInfo>((resolve) => resumed.onStart(resolve));
  let state: ArenaState = createArenaState(info);
  let steps = 0;
  let receivedMs = Number.NaN;
  resumed.onFrame((frame) => {
    if (frame.frame === last) receivedMs = performance.now() - began;
  });
  let runner: { stop(): void } | undefined;
  const caughtUpMs = await new Promise<number>((resolve) => {
    runner = resumed.run(
      {
        step: (frame) => {
          stepArena(state, frame);
          extraStepCost();
          steps++;
          if (frame.frame === last) resolve(performance.now() - began);
        },
      },
      { load: (saved) => (state = saved as ArenaState), clock: "timer" },
    );
  });
  runner!.stop();
  const sessionId = resumed.room.sessionId;
  const bytes = bytesWritten(sessionId);
  const nextToken = resumed.room.reconnectionToken;
  const closed = new Promise((resolve) => resumed.onClose(resolve));
  cut(sessionId);
  await closed;
  return { bytes, receivedMs, caughtUpMs, steps, snapshotFrame: info.snapshot?.frame, nextToken };
}

interface Row {
  readonly minutes: number;
  readonly frames: number;
  readonly from: "log" | "snapshot";
  readonly bytes: Spread;
  readonly receivedMs: Spread;
  readonly caughtUpMs: Spread;
  readonly steps: Spread;
  readonly snapshotBytes: number;
}

const rows: Row[] = [];
let token = match.players[reloading]!.room.reconnectionToken;
let played = 0;
for (const [index, minutes] of lengths.entries()) {
  const target = Math.round(minutes * 60 * rate);
  const building = performance.now();
  // Until the first reload all players play; after it the reloading seat stays dropped between measurements.
  await table.play(target - played, { stride: 5, moveChance: 0.3, ...(index === 0 ? {} : { players: others }) });
  played = target;
  if (index === 0) {
    cut(match.players[reloading]!.room.sessionId);
    await match.players[reloading]!.closes.wait();
  }
  console.log(
    `${minutes} min: ${match.room.lastFrame + 1} frames played in ${((performance.now() - building) / 1000).toFixed(1)} s; snapshot at frame ${match.room.inspect().snapshot_frame}`,
  );
  for (const from of ["log", "snapshot"] as const) {
    const results: Reload[] = [];
    for (let window = 0; window < windows; window++) {
      const result = await reload(token, from === "snapshot");
      token = result.nextToken;
      results.push(result);
    }
    if (from === "snapshot" && results.some((result) => result.snapshotFrame === undefined)) throw new Error("a reload with snapshots got none");
    const snapshot = match.room.inspect().snapshot_frame;
    rows.push({
      minutes,
      frames: match.room.lastFrame + 1,
      from,
      bytes: spreadOf(results.map((result) => result.bytes / 1024)),
      receivedMs: spreadOf(results.map((result) => result.receivedMs)),
      caughtUpMs: spreadOf(results.map((result) => result.caughtUpMs)),
      steps: spreadOf(results.map((result) => result.steps)),
      snapshotBytes: snapshot === undefined ? 0 : Buffer.byteLength(JSON.stringify(table.kept[0]!.get(snapshot) ?? {})),
    });
  }
}

console.log(
  `\nReload-reconnect of one of ${players} players, the demo's game at ${rate} Hz${stepUs > 0 ? ` with ${stepUs} µs more per step` : ""}, a verified snapshot every ${snapshotEvery} frames; median (lowest–highest) of ${windows} reloads:\n`,
);
console.log("| match length | catch-up from | bytes to the page | last frame received | last frame stepped | frames stepped |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) {
  const source = row.from === "log" ? "frame log" : `snapshot (${row.snapshotBytes} B of state) + tail`;
  console.log(
    `| ${row.minutes} min (${row.frames.toLocaleString("en-US")} frames) | ${source} | ${formatSpread(row.bytes, " KiB")} | ${formatSpread(row.receivedMs, " ms", 0)} | ${formatSpread(row.caughtUpMs, " ms", 0)} | ${formatSpread(row.steps, "", 0)} |`,
  );
}
await match.leave().catch(() => undefined);
await server.shutdown();
