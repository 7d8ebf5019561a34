import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { DEV_JWT_SECRET } from "../../src/accounts/security-config.ts";
import { freePort } from "../support/free-port.ts";
import { ClusterNode } from "../support/cluster.ts";
import { call, signJwt } from "../support/http.ts";

const run = promisify(execFile);
/** Processes started at the same moment on one fresh data directory. */
const STARTING_TOGETHER = 6;

/** Prints the JWT secret that `loadSecurityConfig` settles on in a new process. */
const PRINT_SECRET = `const { loadSecurityConfig } = await import(${JSON.stringify(new URL("../../src/accounts/security-config.ts", import.meta.url).href)});
console.log(loadSecurityConfig().jwtSecret);`;

test("processes starting together on one data directory agree on one generated secret", async () => {
  const DATA_DIR = join(mkdtempSync(join(tmpdir(), "lockstep-secret-")), "db");
  const { JWT_SECRET: _configured, NODE_ENV: _mode, ...inherited } = process.env;
  const env = { ...inherited, DATA_DIR };
  const outputs = await Promise.all(
    Array.from({ length: STARTING_TOGETHER }, () => run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", PRINT_SECRET], { env })),
  );
  const secrets = new Set(outputs.map(({ stdout }) => stdout.trim()));
  assert.equal(secrets.size, 1, [...secrets].join("\n"));
  assert.match([...secrets][0]!, /^[0-9a-f]{64}$/);
});

test("npm start without JWT_SECRET: tokens forged with the public development secret are refused; its own survive a restart", { timeout: 60_000 }, async () => {
  const DATA_DIR = join(mkdtempSync(join(tmpdir(), "lockstep-secret-")), "db");
  const node = new ClusterNode(await freePort(), { DATA_DIR, JWT_SECRET: undefined, NODE_ENV: undefined, DATABASE_URL: undefined, REDIS_URL: undefined });
  try {
    await node.start();
    const registered = await call(node.url, "/auth/register", { body: { email: "mallory@example.com", password: "mallory-password" } });
    assert.equal(registered.status, 200);
    const token = registered.body.token as string;
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    assert.equal(claims.role, "player");
    const forged = signJwt({ ...claims, role: "admin" }, DEV_JWT_SECRET);
    const attempt = await call(node.url, "/admin/rooms", { token: forged });
    assert.deepEqual([attempt.status, attempt.body.error], [401, "bad_signature"], "a self-made admin token is refused");
    assert.equal((await call(node.url, "/admin/rooms", { token })).status, 403, "the server's own token is valid (and only a player's)");
    const file = join(DATA_DIR, "jwt-secret");
    assert.ok(node.output.includes(`random development secret kept in ${file}`), node.output);
    assert.equal(statSync(file).mode & 0o077, 0, "the secret file is private to its owner");

    await node.stop("SIGTERM");
    await node.start();
    assert.equal((await call(node.url, "/auth/userdata", { token })).status, 200, "tokens survive a restart: the secret was kept");
  } finally {
    await node.stop("SIGKILL");
  }
});
