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
import { parseArgs } from "node:util";
import { checksumProblems, describe, spectatorProblems } from "./report.ts";
import { runWorkload } from "./run-workload.ts";
import { parseSpectators } from "./spectators.ts";
import type { Workload } from "./workload.ts";

const { values } = parseArgs({
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
});

const target = values.target as Workload["target"];
if (!["lockstep", "schema", "relay"].includes(target)) throw new Error(`unknown target ${target}`);
const checksumInterval = Number(values.checksums);
if (!Number.isInteger(checksumInterval) || checksumInterval < 0) throw new Error(`--checksums must be a whole number ≥ 0, got ${values.checksums}`);
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
  spectators: parseSpectators(values.spectators, target),
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
