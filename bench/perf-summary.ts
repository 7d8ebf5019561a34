// npm run bench:perf -- FILE [FILE…]
// Summarizes `perf script -F ip,sym` output of bench servers (recorded with `perf record -g` while
// the server ran with NODE_OPTIONS=--perf-basic-prof, so JavaScript frames have names): every
// sample is put in one group by the frames on its stack, and each group is given in % of a core,
// one column per file, so two servers recorded over the same seconds can be compared side by side.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseCommandLine, usageError } from "./command-line.ts";

const command = {
  usage: "npm run bench:perf -- [options] FILE [FILE…]",
  about: `Groups the samples of perf recordings of bench servers (perf script -F ip,sym output of perf record -g)
by what is on their stack: frame writes, input reads, the room's own frame and input work, timers, GC, epoll.
Prints each group in % of a core, one column per file.`,
  options: {
    frequency: { type: "string", default: "1999" },
    seconds: { type: "string", default: "10" },
  },
  help: {
    frequency: "the sampling frequency given to perf record -F, in Hz",
    seconds: "how long perf recorded, in seconds",
  },
  positionals: true,
} as const;
const { values, positionals } = parseCommandLine(command);
if (positionals.length === 0) usageError(command, "name at least one perf script file");

/** Groups in the order they are printed; the first whose test matches a stack takes the sample. */
const GROUPS: readonly (readonly [string, (stack: string) => boolean])[] = [
  ["garbage collection", (stack) => /Scaveng|Heap::|MarkCompact|Sweeper|GCTracer/.test(stack)],
  ["heartbeat (pings, pongs)", (stack) => /staggered-heartbeat|receiverOnPong|JS:[~^+*]?ping /.test(stack)],
  // Everything under the frame timer: what V8 inlines into the scheduler's tick differs between servers, so the tick is one group.
  ["writing frames (ws send and the kernel)", (stack) => /frame-scheduler/.test(stack) && /sender\.js/.test(stack)],
  ["the tick's own work (scheduler, encode, log, fan-out loop, metrics)", (stack) => /frame-scheduler/.test(stack)],
  ["the room's input work", (stack) => /_onMessage|relayInput/.test(stack)],
  ["reading inputs (ws, streams, kernel)", (stack) => /onStreamRead|uv__read|uv__stream_io/.test(stack)],
  ["listing refresh", (stack) => /listing-refresher/.test(stack)],
  ["Colyseus room interval", (stack) => /Room\.mjs/.test(stack)],
  ["microtasks", (stack) => /processPromiseRejections|processTicksAndRejections/.test(stack)],
  // perf -p samples only while the process runs: this is CPU spent in the epoll system call, not idle waiting.
  ["in the epoll system call (kernel)", (stack) => /epoll/.test(stack)],
  ["other timers", (stack) => /listOnTimeout/.test(stack)],
  ["the rest", () => true],
];

/** Samples per group in one `perf script` output (samples are blank-line-separated stacks, one frame per line), and how many had a named JavaScript frame. */
function groupSamples(text: string): { counts: Map<string, number>; named: number } {
  const counts = new Map<string, number>(GROUPS.map(([name]) => [name, 0]));
  let named = 0;
  for (const sample of text.split(/\n\s*\n/)) {
    const frames = sample
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    if (frames.length === 0) continue;
    // Each frame line is "address symbol": only the symbols matter.
    const stack = frames.map((frame) => frame.slice(frame.indexOf(" ") + 1)).join("\n");
    if (stack.includes("JS:")) named++;
    const group = GROUPS.find(([, matches]) => matches(stack))![0];
    counts.set(group, counts.get(group)! + 1);
  }
  return { counts, named };
}

const samplesPerCore = Number(values.frequency) * Number(values.seconds);
if (!(samplesPerCore > 0)) usageError(command, "--frequency and --seconds must be positive numbers");
const columns = positionals.map((file) => ({ name: basename(file), ...groupSamples(readFileSync(file, "utf8")) }));
// Without --perf-basic-prof, JavaScript frames have no names and every sample would land in "the rest".
const unnamed = columns.filter((column) => column.named === 0).map((column) => column.name);
if (unnamed.length > 0) {
  console.error(`no named JavaScript frames in ${unnamed.join(", ")}: record the server started with NODE_OPTIONS=--perf-basic-prof`);
  process.exit(1);
}
const percent = (samples: number): string => `${((samples / samplesPerCore) * 100).toFixed(1)} %`;
console.log(["group", ...columns.map((column) => column.name)].join(" | "));
for (const [group] of GROUPS) console.log([group, ...columns.map((column) => percent(column.counts.get(group)!))].join(" | "));
console.log(["total", ...columns.map((column) => percent([...column.counts.values()].reduce((a, b) => a + b, 0)))].join(" | "));
