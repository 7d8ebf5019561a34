import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { freePort } from "../support/free-port.ts";
import { accountsCommand } from "../support/run-script.ts";
import { ClusterNode } from "../support/cluster.ts";

const ADA = { email: "ada@example.com", password: "ada-password" };

/** A server process (`npm start`) and the environment the CLI shares with it: one embedded database directory. */
async function embeddedSetup(): Promise<{ env: NodeJS.ProcessEnv; dataDir: string; node: ClusterNode }> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "lockstep-lock-")), "db");
  const env = {
    DATA_DIR: dataDir,
    JWT_SECRET: "embedded-lock-test-secret-of-enough-length",
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    AUTH_REQUESTS_PER_MINUTE: "1000",
  };
  return { env, dataDir, node: new ClusterNode(await freePort(), env) };
}

async function roleOf(node: ClusterNode): Promise<string> {
  return (await new LockstepClient(node.url).login(ADA.email, ADA.password)).user.role;
}

test("while a server holds the embedded database, the accounts CLI refuses, says why and changes nothing; after it stops, the change is made and kept", {
  timeout: 120_000,
}, async () => {
  const { env, dataDir, node } = await embeddedSetup();
  try {
    await node.start();
    await new LockstepClient(node.url).register(ADA.email, ADA.password);

    for (const command of [
      ["show", ADA.email],
      ["grant-admin", ADA.email],
    ]) {
      const result = await accountsCommand(command, env);
      assert.notEqual(result.code, 0, `${command.join(" ")} must fail: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, new RegExp(`nothing done: the embedded database in ${dataDir} is in use by process ${node.pid}`));
      assert.match(result.stderr, /stop that process first, or set DATABASE_URL/);
      assert.doesNotMatch(result.stdout, /is now admin|"email"/, "no success and no (stale) data is reported");
    }
    assert.equal(await roleOf(node), "player", "the refused grant changed nothing");

    const second = new ClusterNode(await freePort(), env);
    await assert.rejects(second.start(), new RegExp(`not started: the embedded database in ${dataDir} is in use by process ${node.pid}`));

    await node.stop("SIGTERM");
    assert.equal(existsSync(join(dataDir, "lockstep.lock")), false, "a server that stops releases the database");
    const granted = await accountsCommand(["grant-admin", ADA.email], env);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /ada@example.com is now admin/);
    await node.start();
    assert.equal(await roleOf(node), "admin", "the change was written and is seen by the server");
  } finally {
    await node.stop("SIGKILL");
  }
});

test("a lock left by a killed server is taken over by the next process", { timeout: 120_000 }, async () => {
  const { env, dataDir, node } = await embeddedSetup();
  try {
    await node.start();
    await new LockstepClient(node.url).register(ADA.email, ADA.password);
    const killedPid = node.pid;
    await node.stop("SIGKILL");
    assert.equal(readFileSync(join(dataDir, "lockstep.lock"), "utf8").trim(), String(killedPid), "the killed server left its lock");

    const shown = await accountsCommand(["show", ADA.email], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { email: string }).email, ADA.email);
    assert.equal(existsSync(join(dataDir, "lockstep.lock")), false, "the CLI released the lock it took over");
    await node.start();
    assert.equal(await roleOf(node), "player");
  } finally {
    await node.stop("SIGKILL");
  }
});
