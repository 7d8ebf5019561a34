import { spawn, type ChildProcess } from "node:child_process";

/** One real server process of a cluster, started with `demo/main.ts` as `npm start` and PM2 do. */
export class ClusterNode {
  readonly port: number;
  readonly url: string;
  readonly #env: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;
  #output = "";
  #closed = false;
  /** Where the current run's output starts in {@link output}. */
  #runStart = 0;
  readonly #watchers = new Set<() => void>();

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

  /** The id of the running process (undefined before `start`). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the process and resolves once it listens; rejects, with its output, if it exits first. */
  start(): Promise<void> {
    const merged = { ...process.env, ...this.#env, PORT: String(this.port), PUBLIC_ADDRESS: `127.0.0.1:${this.port}`, CI: "" };
    // A variable set to undefined in `env` is removed, so a test can run without, e.g., JWT_SECRET.
    const env = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
    const child = spawn(process.execPath, ["--import", "tsx", "demo/main.ts"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    this.#closed = false;
    this.#runStart = this.#output.length;
    const collect = (chunk: Buffer): void => {
      this.#output += chunk.toString();
      for (const watcher of this.#watchers) watcher();
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    // "close" comes after the last output of a process that exited.
    child.once("close", () => {
      this.#closed = true;
      for (const watcher of this.#watchers) watcher();
    });
    return this.waitForOutput(/colyseus-lockstep demo: open/);
  }

  /**
   * Resolves once the process has printed something matching `pattern` (since it started);
   * rejects, with the output so far, if the process exits before that.
   */
  waitForOutput(pattern: RegExp): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(this.#output.slice(this.#runStart))) {
          this.#watchers.delete(check);
          resolve();
        } else if (this.#child === undefined || this.#closed) {
          this.#watchers.delete(check);
          reject(
            new Error(`node on port ${this.port} exited (${this.#child?.exitCode ?? this.#child?.signalCode}) before printing ${pattern}:\n${this.#output}`),
          );
        }
      };
      this.#watchers.add(check);
      check();
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
