import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runScript, type CommandResult } from "../../support/run-script.ts";

/** Longest a script may take to answer: it only loads its modules and prints. */
const SPAWN_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 60_000;

// A data directory that must never come into being: asking for help opens no database.
const scratch = mkdtempSync(join(tmpdir(), "script-help-"));
const DATA_DIR = join(scratch, "db");
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `file` with `args` as `npm run …` does, without a PostgreSQL or Redis to reach. */
const run = (file: string, args: readonly string[]): Promise<CommandResult> =>
  runScript(file, args, { DATA_DIR, DATABASE_URL: undefined, REDIS_URL: undefined }, SPAWN_TIMEOUT_MS);

/** Every bench script and the options it declares: `--help` must name them all. */
const BENCH_SCRIPTS: Readonly<Record<string, readonly string[]>> = {
  "bench/bench.ts": ["steps", "seconds", "windows", "targets", "checksums"],
  "bench/checksum-compare.ts": ["steps", "interval", "seconds", "windows", "rounds"],
  "bench/drift.ts": ["seconds", "rate"],
  "bench/perf-summary.ts": ["frequency", "seconds"],
  "bench/paired.ts": ["a", "b", "a-checksums", "b-checksums", "b-dir", "rooms", "players", "rounds", "seconds", "windows", "warmup"],
  "bench/loadtest.ts": ["target", "rooms", "players", "rate", "bytes", "seconds", "windows", "warmup", "checksums", "spectators", "profile", "trace-gc"],
  "bench/profile-summary.ts": ["top"],
  "bench/replay-size.ts": ["minutes", "players", "rate", "input-bytes"],
  "bench/reload-cost.ts": ["minutes", "rate", "players", "windows", "snapshot-every", "step-us"],
};

const STACK_LINE = /^\s+at /m;

for (const [file, options] of Object.entries(BENCH_SCRIPTS)) {
  test(`${file} --help prints its usage and every option, and exits 0`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { code, stdout, stderr } = await run(file, ["--help"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^usage: npm run /);
    for (const option of options) assert.match(stdout, new RegExp(`--${option}\\b`), `${file} --help names --${option}`);
  });
}

test("bench/loadtest.ts with an unknown option says which, prints the help and exits 2, without a stack trace", { timeout: TEST_TIMEOUT_MS }, async () => {
  const { code, stdout, stderr } = await run("bench/loadtest.ts", ["--nope"]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr.split("\n")[0]!, /--nope/);
  assert.match(stderr, /usage: npm run loadtest/);
  assert.match(stderr, /--warmup/);
  assert.doesNotMatch(stderr, STACK_LINE);
});

test("bench/profile-summary.ts without a file prints the help and exits 2, without a stack trace", { timeout: TEST_TIMEOUT_MS }, async () => {
  const { code, stderr } = await run("bench/profile-summary.ts", []);
  assert.equal(code, 2);
  assert.match(stderr, /usage: npm run bench:profile/);
  assert.doesNotMatch(stderr, STACK_LINE);
});

for (const flag of ["--help", "-h"]) {
  test(`demo/accounts-cli.ts ${flag} prints its usage and exits 0 without opening the database`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { code, stdout, stderr } = await run("demo/accounts-cli.ts", [flag]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^usage: npm run accounts/);
    assert.match(stdout, /grant-admin/);
    assert.equal(existsSync(DATA_DIR), false);
  });

  test(`demo/main.ts ${flag} prints its usage and exits 0 without opening the database`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { code, stdout, stderr } = await run("demo/main.ts", [flag]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^usage: npm start/);
    for (const variable of ["PORT", "DATA_DIR", "DATABASE_URL", "REDIS_URL", "JWT_SECRET"]) assert.match(stdout, new RegExp(`\\b${variable}\\b`));
    assert.match(stdout, /2567/);
    assert.equal(existsSync(DATA_DIR), false);
  });
}
