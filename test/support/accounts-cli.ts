import { spawn } from "node:child_process";

/** What a command printed and how it exited. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the accounts CLI (`demo/accounts-cli.ts`, what `npm run accounts` runs) in a new process
 * with `env` on top of this one's (a variable set to undefined is removed).
 */
export function accountsCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, ["--import", "tsx", "demo/accounts-cli.ts", ...args], { env: merged, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
