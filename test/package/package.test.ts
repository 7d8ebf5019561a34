import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * The library as a new user gets it: packed with `npm pack`, installed from the tarballs into an
 * empty project outside the repository, and the README's examples, taken from the README itself,
 * type-checked and run there, then played against with the packed client SDK.
 */
const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const repo = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
const sdk = JSON.parse(readFileSync(join(root, "client-sdk/package.json"), "utf8")) as { version: string };
const ENTRIES = [
  "colyseus-lockstep",
  "colyseus-lockstep/protocol",
  "colyseus-lockstep/accounts",
  "colyseus-lockstep/scaling",
  "colyseus-lockstep/testing",
  "colyseus-lockstep/monitor",
];
let work: string;
let tarball: string;
let packedFiles: string[];

/** The code block that follows `<!-- checked: name -->` in the README. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const match = new RegExp(`<!-- checked: ${name.replace(".", "\\.")} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (match === null) throw new Error(`README.md has no example marked "checked: ${name}"`);
  return match[1]!;
}

/** The version the repository itself pins, so the install comes from npm's cache. */
const pinned = (name: string): string => repo.devDependencies[name] ?? repo.dependencies[name] ?? "latest";

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("npm", args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } });
  return stdout;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "lockstep-consumer-"));
  const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", work], root)) as { filename: string; files: { path: string }[] }[];
  tarball = packed[0]!.filename;
  packedFiles = packed[0]!.files.map((file) => file.path);
  await npm(["pack", "--json", "-w", "client-sdk", "--pack-destination", work], root);
  const dependencies: Record<string, string> = {
    "colyseus-lockstep": `file:./${tarball}`,
    "colyseus-lockstep-client": `file:./colyseus-lockstep-client-${sdk.version}.tgz`,
  };
  for (const name of [
    "@colyseus/core",
    "@colyseus/ws-transport",
    "express",
    "zod",
    "@colyseus/auth",
    "@colyseus/better-call",
    "express-rate-limit",
    "@electric-sql/pglite",
    "ioredis",
    "@colyseus/redis-presence",
    "@colyseus/redis-driver",
    "@colyseus/sdk",
    "@colyseus/testing",
    "@colyseus/tools",
    "@colyseus/monitor",
    "pg",
    "typescript",
    "@types/node",
  ]) {
    dependencies[name] = pinned(name);
  }
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2));
  writeFileSync(
    join(work, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          outDir: "out",
          skipLibCheck: true,
        },
        include: ["*.ts"],
      },
      null,
      2,
    ),
  );
  await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], work);
  writeFileSync(join(work, "open-room.ts"), readmeExample("open-room.ts"));
  writeFileSync(join(work, "accounts-room.ts"), readmeExample("accounts-room.ts"));
  writeFileSync(join(work, "room-test.ts"), readmeExample("room-test.ts"));
  copyFileSync(join(root, "test/package/consumer-client.mjs"), join(work, "consumer-client.mjs"));
});

after(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

let compiling: Promise<unknown> | undefined;
/** Type-checks and compiles the README's examples in the consumer project (once for all tests). */
function compileExamples(): Promise<unknown> {
  compiling ??= run(join(work, "node_modules/.bin/tsc"), ["-p", "."], { cwd: work });
  return compiling;
}

/** Starts a compiled example with PORT=0 and resolves with the URL it prints. */
function startExample(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join("out", file)], { cwd: work, env: { ...process.env, ...env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (\S+)/.exec(output)?.[1];
      if (url !== undefined) resolvePromise({ child, url });
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${file} exited (${code}) before listening:\n${output}`)));
  });
}

async function play(
  url: string,
  roomName: string,
  mode: string,
): Promise<{ received: { frame: number; action: unknown }; players: string[]; refusedWithoutToken: string | null }> {
  const { stdout } = await run(process.execPath, ["consumer-client.mjs", url, roomName, mode], { cwd: work, timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

test("the package holds the compiled library, its declarations, README, LICENSE and docs, and nothing of the applications", () => {
  for (const expected of ["README.md", "LICENSE", "docs/API.md", "docs/PROTOCOL.md", "package.json"])
    assert.ok(packedFiles.includes(expected), `${expected} is packed`);
  for (const entry of ["index", "protocol/index", "accounts/index", "scaling/index", "testing/index", "monitor/index"]) {
    assert.ok(packedFiles.includes(`dist/${entry}.js`) && packedFiles.includes(`dist/${entry}.d.ts`), `dist/${entry} and its declarations are packed`);
  }
  const outside = packedFiles.filter((file) => !/^(dist\/|docs\/|README\.md$|LICENSE$|package\.json$)/.test(file));
  assert.deepEqual(outside, []);
  assert.deepEqual(
    packedFiles.filter((file) => /(^|\/)(demo|bench|main)(\/|\.)/.test(file)),
    [],
    "no demo, benchmark or start script",
  );
});

test("every entry point imports without side effects: nothing listens, nothing is printed", async () => {
  const script = ENTRIES.map((entry) => `await import(${JSON.stringify(entry)});`).join("\n");
  const started = performance.now();
  const { stdout, stderr } = await run(process.execPath, ["--input-type=module", "--eval", script], { cwd: work, timeout: 30_000 });
  assert.equal(stdout + stderr, "");
  assert.ok(performance.now() - started < 30_000, "the process ended by itself (no timer, socket or server left open)");
});

test("the README's first example, copied as is, type-checks, serves, and a client joins and plays", async () => {
  await compileExamples();
  const { child, url } = await startExample("open-room.js");
  try {
    const result = await play(url, "arena", "open");
    assert.deepEqual(result.received.action, { type: "move", dx: 1, dy: 0 });
    assert.equal(result.players.length, 2);
  } finally {
    child.kill();
  }
});

test("the README's accounts example: token-less joins are refused, logged-in players join and play", async () => {
  await compileExamples();
  const { child, url } = await startExample("accounts-room.js", { DATA_DIR: join(work, "data") });
  try {
    const result = await play(url, "duel", "accounts");
    assert.match(result.refusedWithoutToken ?? "", /login token is required/);
    assert.deepEqual(result.received.action, { hello: "duel" });
    assert.deepEqual(result.players.sort(), ["Ada", "Bob"]);
  } finally {
    child.kill();
  }
});

test("the README's room test, copied as is, type-checks and passes with node --test", async () => {
  await compileExamples();
  // Run as a user would: not as a child of this test runner (which would take over its report).
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const { stdout } = await run(process.execPath, ["--test", "--test-reporter=tap", join("out", "room-test.js")], { cwd: work, env, timeout: 60_000 });
  assert.match(stdout, /^# pass 1$/m);
  assert.match(stdout, /^# fail 0$/m);
});

test("the package's declarations type-check with skipLibCheck false (only other packages' do not)", async () => {
  writeFileSync(
    join(work, "all-entries.mts"),
    `${ENTRIES.map((entry, index) => `import * as entry${index} from "${entry}";`).join("\n")}\nexport const all = [${ENTRIES.map((_entry, index) => `entry${index}`).join(", ")}];\n`,
  );
  writeFileSync(
    join(work, "tsconfig.strict-libs.json"),
    JSON.stringify({
      compilerOptions: { strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], noEmit: true, skipLibCheck: false },
      files: ["all-entries.mts"],
    }),
  );
  const output = await run(join(work, "node_modules/.bin/tsc"), ["-p", "tsconfig.strict-libs.json"], { cwd: work, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  // tsc ran and checked: it says nothing, or lists errors (a tsc that could not start says neither).
  assert.ok(output.trim() === "" || /error TS\d+/.test(output), `tsc did not run: ${output.slice(0, 500)}`);
  const errors = output.split("\n").filter((line) => /error TS\d+/.test(line));
  const ours = errors.filter((line) => line.startsWith("node_modules/colyseus-lockstep/") || line.startsWith("all-entries"));
  assert.deepEqual(ours, [], "errors in the package's own declarations");
  // Colyseus's own declarations fail with skipLibCheck false (missing @types/debug, an SDK type, httpie's exports): listed, not ours to fix.
  const others = [...new Set(errors.map((line) => line.split("(")[0]))];
  if (others.length > 0) console.log(`declarations of other packages that do not type-check with skipLibCheck false: ${others.join(", ")}`);
});
