import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { freePort } from "../test/support/free-port.ts";
import type { ServerStats, Workload } from "./workload.ts";

const SERVER_SCRIPTS: Record<Workload["target"], string> = {
  lockstep: "bench/servers/lockstep-bench-server.ts",
  schema: "bench/servers/schema-bench-server.ts",
  relay: "bench/servers/relay-bench-server.ts",
};

/** What the bot driver reports. */
export interface BotReport {
  readonly players: number;
  readonly windowMs: number;
  readonly botCpuMs: number;
  readonly framesReceived: number;
  readonly framesPerSecond: number;
  readonly expectedFramesPerSecond: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly bytesPerFrameMessage: number;
  readonly wsHeaderBytesPerFrame: number;
  readonly inputToFrame: { count: number; p50: number; p99: number; max: number };
}

/** One measured run: the workload, the server's view and the bots' view. */
export interface RunResult {
  readonly workload: Workload;
  readonly server: ServerStats;
  readonly bots: BotReport;
  /** Server CPU over the window, in % of one core. */
  readonly serverCpuPercent: number;
  readonly botCpuPercent: number;
}

/** `taskset -c core` when the machine has a second core and taskset exists: server and bots must not share a core. */
function pinned(core: number, args: string[]): { command: string; args: string[] } {
  const canPin = availableParallelism() > 1 && spawnSync("taskset", ["--version"]).status === 0;
  return canPin ? { command: "taskset", args: ["-c", String(core), ...args] } : { command: args[0]!, args: args.slice(1) };
}

function waitForLine(child: ChildProcess, stream: "stdout" | "stderr", text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    child[stream]!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`process exited (${code}) before "${text}":\n${output}`)));
  });
}

async function serverStats(port: number, reset: boolean): Promise<ServerStats> {
  const response = await fetch(`http://127.0.0.1:${port}/__bench/stats${reset ? "?reset=1" : ""}`);
  return (await response.json()) as ServerStats;
}

/**
 * Runs one workload: the server under test on core 0, the bots on core 1, both on loopback,
 * for a bounded time. The server's window starts when the bots' does (after the warm-up).
 * `onProgress` receives the bots' progress lines.
 */
export async function runWorkload(workload: Workload, onProgress: (line: string) => void = () => undefined): Promise<RunResult> {
  const port = await freePort();
  const node = [process.execPath, "--import", "tsx"];
  const serverCommand = pinned(0, [...node, SERVER_SCRIPTS[workload.target]]);
  const server = spawn(serverCommand.command, serverCommand.args, {
    env: { ...process.env, BENCH_PORT: String(port), ROOM_SIZE: String(workload.roomSize), FRAME_RATE: String(workload.frameRate), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    await waitForLine(server, "stdout", "bench server ready");
    const botCommand = pinned(1, [...node, "bench/bots.ts"]);
    const bots = spawn(botCommand.command, botCommand.args, {
      env: { ...process.env, BENCH_WORKLOAD: JSON.stringify(workload), BENCH_URL: `http://127.0.0.1:${port}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    bots.stderr!.on("data", (chunk: Buffer) => onProgress(chunk.toString()));
    let stdout = "";
    let windowStarted!: () => void;
    const started = new Promise<void>((resolve) => (windowStarted = resolve));
    bots.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('"window-start"')) windowStarted();
    });
    const exited = new Promise<number | null>((resolve) => bots.once("exit", resolve));
    await Promise.race([started, exited]);
    await serverStats(port, true);
    const code = await exited;
    const stats = await serverStats(port, false);
    const reportLine = stdout.split("\n").find((line) => line.includes('"report"'));
    if (reportLine === undefined) throw new Error(`bot driver failed (exit ${code}):\n${stdout}`);
    const report = JSON.parse(reportLine) as BotReport;
    return {
      workload,
      server: stats,
      bots: report,
      serverCpuPercent: (stats.cpuMs / stats.wallMs) * 100,
      botCpuPercent: (report.botCpuMs / report.windowMs) * 100,
    };
  } finally {
    server.kill("SIGKILL");
  }
}
