import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { LockstepClient, type LockstepMatch, type MatchEnd } from "../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../demo/arena-room.ts";
import { startDemoServer } from "../../demo/demo-server.ts";
import { loadSecurityConfig } from "../../src/accounts/security-config.ts";
import { openEmbeddedDatabase } from "../../src/accounts/sql-client.ts";
import { SqlUserStore } from "../../src/accounts/user-store.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { browserUnavailable, launchChromium } from "../support/browser.ts";
import { once, within } from "../support/sdk-match.ts";

const unavailable = browserUnavailable();
if (unavailable !== undefined && process.env.CI) throw new Error(`browser tests need Chromium in CI: ${unavailable}`);
if (unavailable !== undefined) console.log(`skipping browser tests locally: ${unavailable}`);
const skip = unavailable;

const ADMIN = { email: "ops@example.com", password: "ops-password" };
let server: LockstepServer;
let store: SqlUserStore;
let browser: Browser;

before(async () => {
  if (skip !== undefined) return;
  store = await SqlUserStore.open(await openEmbeddedDatabase());
  const config = loadSecurityConfig({ ADMIN_EMAILS: ADMIN.email, JWT_SECRET: "monitor-console-test-secret-with-enough-characters" });
  server = await startDemoServer({ store, config, port: 0, host: "127.0.0.1" });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});

async function player(name: string): Promise<LockstepClient> {
  const client = new LockstepClient(server.url);
  await client.loginAnonymous({ name });
  return client;
}

/** The grid row of `roomId`: its phase and frame cells, once the monitor has listed the room as running. */
async function gridRow(page: Page, roomId: string): Promise<{ phase: string; frame: number }> {
  const row = page.locator(`[role="row"][data-id="${roomId}"]`);
  await row.locator('[data-field="phase"]', { hasText: "running" }).waitFor();
  return { phase: (await row.locator('[data-field="phase"]').innerText()).trim(), frame: Number(await row.locator('[data-field="frame"]').innerText()) };
}

test("an admin watches a running match in /monitor, opens it, sees both players connected, and ends it from there", { skip, timeout: 60_000 }, async () => {
  const adminToken = (await new LockstepClient(server.url).register(ADMIN.email, ADMIN.password)).token;
  const ann: LockstepMatch<ArenaAction> = await (await player("Ann")).create<ArenaAction>("arena");
  const ben: LockstepMatch<ArenaAction> = await (await player("Ben")).joinById<ArenaAction>(ann.roomId);
  const started = Promise.all([once(ann.onStart.bind(ann)), once(ben.onStart.bind(ben))]);
  ann.ready();
  ben.ready();
  await within(started, "the match start");

  const context = await browser.newContext();
  const page = await context.newPage();
  // The admin logs in to the monitor with their token once: it becomes a cookie scoped to /monitor.
  await page.goto(`${server.url}/monitor/?token=${adminToken}`);
  const first = await gridRow(page, ann.roomId);
  assert.equal(first.phase, "running");
  // The grid refreshes from the listing at most once a second: a later read shows a later frame.
  let second = first;
  for (let attempt = 0; attempt < 20 && second.frame <= first.frame; attempt++) {
    await page.reload();
    second = await gridRow(page, ann.roomId);
  }
  assert.ok(second.frame > first.frame, `the frame advances between two reads (${first.frame}, then ${second.frame})`);

  await page.locator(`[role="row"][data-id="${ann.roomId}"]`).getByRole("button", { name: "Inspect" }).click();
  await page.getByRole("tab", { name: "State" }).click();
  // The State tab shows the match as the room describes it: its players with their connection.
  await page.waitForFunction(() => document.body.innerText.includes("dropped_since"));
  const text = await page.locator("body").innerText();
  for (const name of ["Ann", "Ben"]) {
    const entry = new RegExp(`name:\\s*"${name}"(?:(?!\\})[\\s\\S])*?connected:\\s*true\\s*dropped_since:\\s*null`);
    assert.match(text, entry, `${name} is listed as connected`);
  }

  const ends = Promise.all([once<MatchEnd>(ann.onEnd.bind(ann)), once<MatchEnd>(ben.onEnd.bind(ben))]);
  await page.getByRole("button", { name: "Dispose" }).click();
  const [annEnd, benEnd] = await within(ends, "match_end at both players");
  assert.deepEqual(annEnd.result, { ended_by: "operator", operator: ADMIN.email.split("@")[0] ?? ADMIN.email });
  assert.deepEqual(benEnd.result, annEnd.result);
  await context.close();
});
