import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import selfsigned from "selfsigned";
import { accountsTokenVerifier, installAccounts, mountAuthRoutes } from "../../src/accounts/accounts.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import { createLockstepServer, type LockstepServer } from "../../src/server/create-server.ts";
import { SoloGatedRoom } from "../support/rooms.ts";

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), "lockstep-tls-"));
const certFile = join(directory, "cert.pem");
const keyFile = join(directory, "key.pem");
let server: LockstepServer;
let store: SqlUserStore;

before(async () => {
  const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private);
  const config = loadSecurityConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, JWT_SECRET: "tls-test-secret-with-enough-characters-for-hs256" });
  assert.ok(config.tls !== undefined);
  store = await SqlUserStore.open(await openEmbeddedDatabase());
  installAccounts({ store, config });
  server = await createLockstepServer({
    port: 0,
    host: "127.0.0.1",
    tls: config.tls,
    rooms: { solo: SoloGatedRoom },
    auth: accountsTokenVerifier(store),
    routes: (app) => mountAuthRoutes(app, { store, config }),
  });
});
after(async () => {
  await server.close();
  await store.close();
});

const client = (env: NodeJS.ProcessEnv) =>
  run(process.execPath, ["--import", "tsx", "test/support/tls-client.ts", server.url], { env: { ...process.env, ...env }, timeout: 30_000 });

test("HTTPS login and a WSS match end to end, with the certificate verified", async () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const { stdout } = await client({ NODE_EXTRA_CA_CERTS: certFile });
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { userId: string; uid: string; frames: number[] };
  assert.equal(result.uid, result.userId, "the seat belongs to the token's user");
  assert.deepEqual(result.frames, [0, 1, 2]);
});

test("a client that does not trust the certificate cannot connect", async () => {
  await assert.rejects(client({ NODE_EXTRA_CA_CERTS: "" }), (error: Error & { stderr?: string }) => {
    assert.match(error.stderr ?? "", /self[- ]signed|certificate|fetch failed/i);
    return true;
  });
});

test("plain HTTP is not served on the TLS port", async () => {
  await assert.rejects(fetch(`${server.url.replace("https:", "http:")}/auth/userdata`));
});

test("a certificate without its key is refused at startup", () => {
  assert.throws(() => loadSecurityConfig({ TLS_CERT_FILE: certFile }), /both TLS_CERT_FILE and TLS_KEY_FILE/);
});
