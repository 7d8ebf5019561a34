import { spawn, type ChildProcess } from "node:child_process";

/** One real server process of a cluster, started with `src/main.ts` as `npm start` and PM2 do. */
export class ClusterNode {
  readonly port: number;
  readonly url: string;
  readonly #env: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;
  #output = "";

  constructor(port: number, env: NodeJS.ProcessEnv) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.#env = env;
  }

  /** True from {@link start} until the process exits. */
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Everything the process printed (for failure messages). */
  get output(): string {
    return this.#output;
  }

  /** Starts the process and resolves once it listens. */
  start(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...process.env, ...this.#env, PORT: String(this.port), PUBLIC_ADDRESS: `127.0.0.1:${this.port}`, CI: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    // Only this start's output counts: after a restart the previous run's banner is still in `output`.
    let sinceStart = "";
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        this.#output += chunk.toString();
        sinceStart += chunk.toString();
        if (sinceStart.includes("colyseus-lockstep demo: open")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`node on port ${this.port} exited (${code}) before listening:\n${this.#output}`)));
    });
  }

  /** Sends a signal and resolves when the process has exited. */
  stop(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.kill(signal);
    });
  }
}
