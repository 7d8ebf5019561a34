import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What a command printed and how it exited. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The repository root: scripts run from there, as `npm run …` runs them. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Runs one of the project's scripts (`demo/main.ts`, `bench/loadtest.ts`, …) as `npm run`
 * does, in a new process from the repository root, with `env` on top of this one's (a variable
 * set to undefined is removed); killed after `timeoutMs` if given.
 */
export function runScript(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<CommandResult> {
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
    cwd: ROOT,
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
    ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the accounts CLI (`demo/accounts-cli.ts`, what `npm run accounts` runs) with `env` on top of this process's. */
export function accountsCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runScript("demo/accounts-cli.ts", args, env);
}
