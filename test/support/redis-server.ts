import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./free-port.ts";

/** Longest a private Redis may take to say it is ready. */
const READY_TIMEOUT_MS = 10_000;

/**
 * A private `redis-server` on a free loopback port, with no persistence at all (`--save ""`,
 * `--appendonly no`): {@link restart} kills it and starts it again on the same port, empty, as
 * a Redis without persistence comes back from a crash or a restart. Tests that restart Redis
 * use one of these, never the machine's shared Redis.
 */
export class PrivateRedis {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts a server and resolves once it accepts connections. */
  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.#spawn();
    return redis;
  }

  /** `redis://` URL of logical database 0. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Kills the server (SIGKILL: nothing is saved) and starts an empty one on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Kills the server and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  #spawn(): Promise<void> {
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    let output = "";
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server on port ${this.port} not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)),
        READY_TIMEOUT_MS,
      );
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on port ${this.port} exited (${code}):\n${output}`));
      });
    });
  }
}
