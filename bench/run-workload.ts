import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { coreBusyPercent, readCoreTimes } from "./core-load.ts";
import { spectatorDelayFrames, type SpectatorWindow } from "./spectators.ts";
import type { ServerStats, Summary, Workload } from "./workload.ts";

const SERVER_SCRIPTS: Record<Workload["target"], string> = {
  lockstep: "bench/servers/lockstep-bench-server.ts",
  schema: "bench/servers/schema-bench-server.ts",
  relay: "bench/servers/relay-bench-server.ts",
};

/** The cores the server and the bots run on, when the machine has two and `taskset` exists. */
const SERVER_CORE = 0;
const BOT_CORE = 1;

/** What the bots saw in one window. */
export interface BotWindow {
  readonly windowMs: number;
  /** CPU time of the bot process in the window (user + system), in ms. */
  readonly botCpuMs: number;
  /** p99 of the bot process's event-loop delay: how long a frame could wait in the bots before being timed. */
  readonly botLoopDelayP99Ms: number;
  readonly framesReceived: number;
  readonly framesPerSecond: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly bytesPerFrameMessage: number;
  readonly wsHeaderBytesPerFrame: number;
  readonly inputToFrame: Summary;
  /** State checksums the bots sent (LockstepRoom with checksums on). */
  readonly checksumsSent: number;
  /** How late frames arrived, against each bot's best arrival (see `ArrivalRecorder`): what players feel. */
  readonly arrival: Summary;
  /** Frames that arrived more than `STALL_MS` late. */
  readonly stalls: number;
  /** What the spectator bots got, apart from the players' figures above (runs with spectators only). */
  readonly spectators?: SpectatorWindow;
}

/** One measured window: the bots' view, the server's view, and how busy each core was. */
export interface WindowResult {
  readonly bots: BotWindow;
  readonly server: ServerStats;
  /** CPU of the server process, in % of one core. */
  readonly serverCpuPercent: number;
  /** The kernel's part of it. */
  readonly serverKernelCpuPercent: number;
  /** CPU of the bot process, in % of one core. */
  readonly botCpuPercent: number;
  /** How busy the bot core was, all processes included (Linux, pinned runs only). */
  readonly botCoreBusyPercent: number | undefined;
  /** How busy the server core was, all processes included (Linux, pinned runs only): above the server's CPU, other work shared its core. */
  readonly serverCoreBusyPercent?: number | undefined;
}

/** How to run a workload. */
export interface RunOptions {
  /** Write a CPU profile of the server over the measured windows (not start-up or connections) into this directory. */
  readonly profileDir?: string;
  /** Node flags for the server process (e.g. `--cpu-prof`); the server is then stopped with SIGINT so it can write its files. */
  readonly serverNodeArgs?: readonly string[];
  /** Receives everything the server prints (e.g. `--trace-gc` lines). */
  readonly onServerOutput?: (chunk: string) => void;
  /** Run the server from this checkout of the project (its `bench/servers/`, its `src/`) instead of this one: before/after comparisons. */
  readonly serverDir?: string;
}

/** One run of a workload: every window, in order. */
export interface RunResult {
  readonly workload: Workload;
  readonly players: number;
  readonly expectedFramesPerSecond: number;
  /** Whether the server and the bots had a core each. */
  readonly pinned: boolean;
  readonly windows: readonly WindowResult[];
}

const canPin = availableParallelism() > 1 && spawnSync("taskset", ["--version"]).status === 0;

/** `taskset -c core` when possible: server and bots must not share a core. */
function pinned(core: number, args: string[]): { command: string; args: string[] } {
  return canPin ? { command: "taskset", args: ["-c", String(core), ...args] } : { command: args[0]!, args: args.slice(1) };
}

/** Resolves with the port the server prints once it listens (it listens on a free one). */
function serverPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /bench server ready on (\d+)/.exec(output)?.[1];
      if (port === undefined) return;
      child.stdout!.off("data", read);
      resolve(Number(port));
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
}

/** The server's stats since the last call, starting a new window. */
async function serverWindow(port: number): Promise<ServerStats> {
  const response = await fetch(`http://127.0.0.1:${port}/__bench/stats?reset=1`);
  return (await response.json()) as ServerStats;
}

/**
 * Runs one workload: the server under test on core 0, the bots on core 1, both on loopback,
 * for a bounded time: a warm-up, then `workload.windows` windows; the server's and the cores'
 * figures are read at the same boundaries as the bots'. `onProgress` receives the bots'
 * progress lines.
 */
export async function runWorkload(workload: Workload, onProgress: (line: string) => void = () => undefined, options: RunOptions = {}): Promise<RunResult> {
  const node = [process.execPath, "--import", "tsx"];
  const serverCommand = pinned(SERVER_CORE, [...node, ...(options.serverNodeArgs ?? []), SERVER_SCRIPTS[workload.target]]);
  const server = spawn(serverCommand.command, serverCommand.args, {
    env: {
      ...process.env,
      ...(options.profileDir !== undefined ? { BENCH_PROFILE_DIR: options.profileDir } : {}),
      BENCH_PORT: "0",
      ROOM_SIZE: String(workload.roomSize),
      FRAME_RATE: String(workload.frameRate),
      CHECKSUM_INTERVAL: String(workload.checksumInterval ?? 0),
      SPECTATORS: String(workload.spectators ?? 0),
      SPECTATOR_DELAY_FRAMES: String(spectatorDelayFrames(workload.frameRate)),
      NODE_ENV: "production",
    },
    ...(options.serverDir !== undefined ? { cwd: options.serverDir } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (options.onServerOutput !== undefined) {
    const forward = options.onServerOutput;
    server.stdout!.on("data", (chunk: Buffer) => forward(chunk.toString()));
    server.stderr!.on("data", (chunk: Buffer) => forward(chunk.toString()));
  }
  try {
    const port = await serverPort(server);
    const botCommand = pinned(BOT_CORE, [...node, "bench/bots.ts"]);
    const bots = spawn(botCommand.command, botCommand.args, {
      env: { ...process.env, BENCH_WORKLOAD: JSON.stringify(workload), BENCH_URL: `http://127.0.0.1:${port}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The bots warm up right after they say they are all connected; the runner says so, as it
    // says when measuring starts (at the first window), so a reader knows which phase is running.
    let connectedTail = "";
    let warmupAnnounced = false;
    bots.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      onProgress(text);
      if (warmupAnnounced) return;
      // A tail, not the whole output: the line may straddle two chunks.
      connectedTail = (connectedTail + text).slice(-200);
      if (!/connected \d+ players[^\n]*\n/.test(connectedTail)) return;
      warmupAnnounced = true;
      onProgress(`warm-up ${workload.warmupSeconds} s…\n`);
    });
    const exited = new Promise<number | null>((resolve) => bots.once("exit", resolve));

    // At every boundary: the server's window so far, and the cores' times.
    const servers: ServerStats[] = [];
    const cores = [] as ReturnType<typeof readCoreTimes>[];
    let boundaries = Promise.resolve();
    let report: { players: number; expectedFramesPerSecond: number; windows: BotWindow[] } | undefined;
    for await (const line of createInterface({ input: bots.stdout! })) {
      const message = JSON.parse(line) as { event: string };
      if (message.event === "window-start" || message.event === "windows-done") {
        const first = message.event === "window-start" && (message as { index?: number }).index === 0;
        cores.push(readCoreTimes());
        // After the cores' times: nothing but the read itself sits between the boundary and it.
        if (first) onProgress(`\nmeasuring ${workload.windows} window${workload.windows === 1 ? "" : "s"} of ${workload.seconds} s…\n`);
        const last = message.event === "windows-done";
        boundaries = boundaries.then(async () => {
          const stats = await serverWindow(port);
          if (!first) servers.push(stats);
          if (options.profileDir !== undefined && (first || last)) {
            const answer = (await (await fetch(`http://127.0.0.1:${port}/__bench/profile/${first ? "start" : "stop"}`)).json()) as { file?: string };
            if (answer.file) onProgress(`\nserver profile: ${answer.file}\n`);
          }
        });
      } else if (message.event === "report") {
        report = message as unknown as typeof report;
      }
    }
    const code = await exited;
    await boundaries;
    if (report === undefined) throw new Error(`bot driver failed (exit ${code})`);
    return {
      workload,
      players: report.players,
      expectedFramesPerSecond: report.expectedFramesPerSecond,
      pinned: canPin,
      windows: report.windows.map((bots, index) => {
        const stats = servers[index]!;
        return {
          bots,
          server: stats,
          serverCpuPercent: (stats.cpuMs / stats.wallMs) * 100,
          serverKernelCpuPercent: (stats.kernelCpuMs / stats.wallMs) * 100,
          botCpuPercent: (bots.botCpuMs / bots.windowMs) * 100,
          botCoreBusyPercent: canPin ? coreBusyPercent(cores[index], cores[index + 1], BOT_CORE) : undefined,
          serverCoreBusyPercent: canPin ? coreBusyPercent(cores[index], cores[index + 1], SERVER_CORE) : undefined,
        };
      }),
    };
  } finally {
    if (options.serverNodeArgs === undefined) server.kill("SIGKILL");
    else {
      // A clean exit, so that a profiler the server runs under writes its file.
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGINT");
      await exited;
    }
  }
}
