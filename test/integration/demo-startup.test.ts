import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { runScript } from "../support/run-script.ts";
import { ClusterNode } from "../support/cluster.ts";
import { freePort } from "../support/free-port.ts";

/** Longest a start that must fail may take: a start that hangs (the bug these tests guard against) is killed then. */
const START_TIMEOUT_MS = 45_000;

/** Scratch directories of the tests' embedded databases, removed at the end. */
const scratch: string[] = [];
after(() => {
  for (const directory of scratch) rmSync(directory, { recursive: true, force: true });
});

/** A new scratch directory for a data directory. */
function scratchDir(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(directory);
  return directory;
}

/** Runs `npm start`'s entry with `env` until it exits: its exit code and everything it printed. */
async function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await runScript("demo/main.ts", [], { CI: "", ...env }, START_TIMEOUT_MS);
  return { code, output: stdout + stderr };
}

test("npm start on a port already in use exits non-zero with one line naming the port, no stack trace", { timeout: 60_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const { code, output } = await runDemo({
      PORT: String(port),
      DATA_DIR: join(scratchDir("lockstep-port-"), "db"),
      JWT_SECRET: "demo-startup-test-secret-of-enough-length",
      DATABASE_URL: "",
      REDIS_URL: "",
    });
    assert.equal(code, 1, output);
    const reason = output.split("\n").filter((line) => line.includes("not started"));
    assert.equal(reason.length, 1, output);
    assert.match(reason[0]!, new RegExp(`port ${port} is already in use`));
    assert.doesNotMatch(output, /^\s+at /m, "no stack trace");
  } finally {
    blocker.close();
  }
});

test("refusals a player provokes (a wrong password, an invalid registration) are not logged with a stack trace", { timeout: 60_000 }, async () => {
  const node = new ClusterNode(await freePort(), {
    DATA_DIR: join(scratchDir("lockstep-refusals-"), "db"),
    JWT_SECRET: "demo-refusals-test-secret-of-enough-length",
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
  });
  await node.start();
  try {
    const client = new LockstepClient(node.url);
    await client.register("ada@example.com", "ada-password");
    await assert.rejects(new LockstepClient(node.url).login("ada@example.com", "not-her-password"), /wrong email or password/);
    await assert.rejects(new LockstepClient(node.url).register("not-an-email", "123"), /password must have at least 6 characters/);
    await assert.rejects(new LockstepClient(node.url, { token: "forged.token.value" }).joinOrCreate("arena"));
    // One more request: whatever the refusals logged is in the output by the time it is answered.
    assert.equal((await fetch(`${node.url}/health`)).status, 200);
    assert.doesNotMatch(node.output, /^\s+at /m, `no stack trace in:\n${node.output}`);
  } finally {
    await node.stop("SIGTERM");
  }
});
