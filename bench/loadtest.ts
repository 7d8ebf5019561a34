// npm run loadtest -- [--target lockstep|schema|relay] [--rooms 100] [--players 4] [--rate 30] [--bytes 12] [--seconds 10]
// Fills N rooms of P bots at F Hz, each bot sending a B-byte input every frame, and reports
// what the server held. Loopback only, bounded in time.
import { parseArgs } from "node:util";
import { describe } from "./report.ts";
import { runWorkload } from "./run-workload.ts";
import type { Workload } from "./workload.ts";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "lockstep" },
    rooms: { type: "string", default: "100" },
    players: { type: "string", default: "4" },
    rate: { type: "string", default: "30" },
    bytes: { type: "string", default: "12" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
  },
});

const workload: Workload = {
  target: values.target as Workload["target"],
  rooms: Number(values.rooms),
  roomSize: Number(values.players),
  frameRate: Number(values.rate),
  inputBytes: Number(values.bytes),
  seconds: Math.min(600, Number(values.seconds)),
  warmupSeconds: Number(values.warmup),
};
if (!["lockstep", "schema", "relay"].includes(workload.target)) throw new Error(`unknown target ${workload.target}`);

const result = await runWorkload(workload, (line) => process.stderr.write(line));
console.log(`\n${describe(result)}`);
if (result.bots.lost > 0 || result.bots.duplicated > 0) process.exitCode = 1;
