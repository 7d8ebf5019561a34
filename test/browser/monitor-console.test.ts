import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { LockstepClient, type LockstepMatch, type MatchEnd } from "../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../demo/arena-room.ts";
import { useBrowserDemo } from "../support/browser-demo.ts";
import { once, within } from "../support/sdk-match.ts";

const ADMIN = { email: "ops@example.com", password: "ops-password" };
const demo = useBrowserDemo({ secret: "monitor-console-test-secret-with-enough-characters", adminEmail: ADMIN.email });
const unavailable = demo.skip;
const skip = unavailable;

async function player(name: string): Promise<LockstepClient> {
  const client = new LockstepClient(demo.server.url);
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
  const adminToken = (await new LockstepClient(demo.server.url).register(ADMIN.email, ADMIN.password)).token;
  const ann: LockstepMatch<ArenaAction> = await (await player("Ann")).create<ArenaAction>("arena");
  const ben: LockstepMatch<ArenaAction> = await (await player("Ben")).joinById<ArenaAction>(ann.roomId);
  const started = Promise.all([once(ann.onStart.bind(ann)), once(ben.onStart.bind(ben))]);
  ann.ready();
  ben.ready();
  await within(started, "the match start");

  const context = await demo.browser.newContext();
  const page = await context.newPage();
  // The admin logs in to the monitor with their token once: it becomes a cookie scoped to /monitor.
  await page.goto(`${demo.server.url}/monitor/?token=${adminToken}`);
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
