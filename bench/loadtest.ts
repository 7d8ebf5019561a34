// npm run loadtest -- [--target lockstep|schema|relay] [--rooms 100] [--players 4] [--rate 30] [--bytes 12] [--seconds 10] [--windows 3] [--warmup 5]
//                      [--checksums 0] [--spectators 0] [--profile DIR] [--trace-gc FILE]
// Fills N rooms of P bots at F Hz, each bot sending a B-byte input every frame, measures W
// windows, and reports what players felt (frame arrival) next to what the server saw. Loopback
// only, bounded in time. Exits 1 if a frame was lost or duplicated.
// --checksums N (LockstepRoom): the room checks state checksums every N frames and every bot
// sends one after each such frame; the report gives how many the server accepted and the
// desyncs it found (the command fails unless it accepted them all and found none). 0: off.
// --spectators N (LockstepRoom; the other targets refuse it): each room accepts N spectators
// 3 s behind, and once its players are in, N spectator bots join it by id. They are no part of
// the players' figures; the report gives how many were connected and the frames they received
// in each window, and the command fails if one lost a frame, got one twice, or got one before
// the delay allowed it (frame g more than half a frame period before its room's players got
// frame g + delay).
import { appendFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseCommandLine, usageError } from "./command-line.ts";
import { checksumProblems, describe, spectatorProblems } from "./report.ts";
import { runWorkload } from "./run-workload.ts";
import { parseSpectators } from "./spectators.ts";
import type { Workload } from "./workload.ts";

const command = {
  usage: "npm run loadtest -- [options]",
  about: `Fills N rooms of P bots at F Hz, each bot sending a B-byte input every frame, warms up, then measures
W windows on loopback, bounded in time. Reports what players felt (frame arrival) next to what the server
saw (CPU, timer lateness, bytes). Exits 1 if a frame was lost or duplicated, or (with --checksums or
--spectators) if a checksum was refused, a desync found or a spectator missed a frame.`,
  options: {
    target: { type: "string", default: "lockstep" },
    rooms: { type: "string", default: "100" },
    players: { type: "string", default: "4" },
    rate: { type: "string", default: "30" },
    bytes: { type: "string", default: "12" },
    seconds: { type: "string", default: "10" },
    windows: { type: "string", default: "3" },
    warmup: { type: "string", default: "5" },
    checksums: { type: "string", default: "0" },
    spectators: { type: "string", default: "0" },
    profile: { type: "string" },
    "trace-gc": { type: "string" },
  },
  help: {
    target: "server under test: lockstep, schema or relay",
    rooms: "rooms to fill",
    players: "players (bots) per room",
    rate: "frame rate, in Hz",
    bytes: "size of each bot's input, in bytes",
    seconds: "length of a measured window, in seconds (at most 600)",
    windows: "measured windows (1 to 20)",
    warmup: "warm-up before the first window, in seconds",
    checksums: "LockstepRoom checks state checksums every N frames, every bot sending one (0: off)",
    spectators: "LockstepRoom: spectator bots per room, 3 s behind (0: none)",
    profile: "a directory: a CPU profile of the server over the measured windows goes there",
    "trace-gc": "a file: the server's GC pauses (node --trace-gc) are appended to it",
  },
} as const;
const { values } = parseCommandLine(command);

const target = values.target as Workload["target"];
if (!["lockstep", "schema", "relay"].includes(target)) usageError(command, `--target must be lockstep, schema or relay, got ${target}`);
const checksumInterval = Number(values.checksums);
if (!Number.isInteger(checksumInterval) || checksumInterval < 0) usageError(command, `--checksums must be a whole number ≥ 0, got ${values.checksums}`);
/** `--spectators`, or a usage error (it takes a bounded count, for the lockstep target only). */
function spectatorsOption(): number {
  try {
    return parseSpectators(values.spectators, target);
  } catch (error) {
    return usageError(command, (error as Error).message);
  }
}
const workload: Workload = {
  target,
  rooms: Number(values.rooms),
  roomSize: Number(values.players),
  frameRate: Number(values.rate),
  inputBytes: Number(values.bytes),
  seconds: Math.min(600, Number(values.seconds)),
  windows: Math.max(1, Math.min(20, Number(values.windows))),
  warmupSeconds: Number(values.warmup),
  checksumInterval,
  spectators: spectatorsOption(),
};

// --profile DIR: a CPU profile of the server over the measured windows goes to DIR (read it with
// `npm run bench:profile -- FILE`); --trace-gc FILE: the server's GC pauses go to FILE.
const gcLog = values["trace-gc"];
if (values.profile !== undefined) mkdirSync(values.profile, { recursive: true });
const result = await runWorkload(workload, (line) => process.stderr.write(line), {
  ...(values.profile !== undefined ? { profileDir: resolve(values.profile) } : {}),
  ...(gcLog !== undefined ? { serverNodeArgs: ["--trace-gc"], onServerOutput: (chunk: string) => appendFileSync(gcLog, chunk) } : {}),
});
console.log(`\n${describe(result)}`);
if (result.windows.some((window) => window.bots.lost > 0 || window.bots.duplicated > 0)) process.exitCode = 1;
if (checksumProblems(result).length > 0) process.exitCode = 1;
if (spectatorProblems(result).length > 0) process.exitCode = 1;
