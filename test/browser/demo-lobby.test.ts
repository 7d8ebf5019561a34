import assert from "node:assert/strict";
import { test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { openGuestPage, useBrowserDemo } from "../support/browser-demo.ts";
import { call } from "../support/http.ts";

const ADMIN = { email: "ops@example.com", password: "ops-password" };
const demo = useBrowserDemo({ secret: "demo-lobby-test-secret-with-enough-characters", adminEmail: ADMIN.email });
const unavailable = demo.skip;
const skip = unavailable;

/** What the page exposes for automated play (see demo/web/arena-page.ts). */
interface ArenaView {
  user: { id: string; name: string } | undefined;
  phase: string;
  slot: number | undefined;
  frame: number | undefined;
  hash: string | undefined;
  roomCode: string | undefined;
  notice: string;
  state: { players: { slot: number; x: number; y: number }[] } | undefined;
  createRoom(): Promise<void>;
  playAlone(): Promise<void>;
  joinByCode(code: string): Promise<void>;
  move(dx: number, dy: number): boolean;
}
declare const arena: ArenaView;

/** A tab of `context` logged in as a guest called `name`. */
async function guestTab(context: BrowserContext, name: string): Promise<Page> {
  const { page, errors } = await openGuestPage(context, demo.server.url, name);
  assert.deepEqual(errors, []);
  return page;
}

const view = <T>(page: Page, read: () => T): Promise<T> => page.evaluate(read);

test("each tab is its own player; rooms have codes; a match starts only when everyone present is ready; a reloaded tab returns to its seat", {
  skip,
  timeout: 90_000,
}, async () => {
  const context = await demo.browser.newContext();
  const alice = await guestTab(context, "Alice");
  // The second tab of the same browser is not logged in as Alice: it is a player of its own.
  const bob = await context.newPage();
  await bob.goto(demo.server.url);
  assert.equal(await bob.isVisible("#account"), true, "the second tab asks who is playing");
  assert.equal(await bob.isVisible("#session"), false, 'no "Logged in as" row without a login');
  await bob.fill("#name", "Bob");
  await bob.click("#guest");
  await bob.waitForFunction(() => arena.user?.name === "Bob");
  await alice.reload();
  await alice.waitForFunction(() => arena.user !== undefined);
  assert.equal(await view(alice, () => arena.user!.name), "Alice", "reloading Alice's tab keeps Alice");

  await alice.click("#create-room");
  await alice.waitForFunction(() => arena.roomCode !== undefined);
  const code = (await view(alice, () => arena.roomCode))!;
  assert.equal((await alice.textContent("#room-code"))?.trim(), code, "the page shows the room's code");
  await alice.click("#ready");
  // Alone and ready: not a start (that is what "Play alone" is for).
  await alice.waitForFunction(() => document.getElementById("ready")!.hasAttribute("disabled"));
  assert.equal(await view(alice, () => arena.phase), "waiting");

  await bob.fill("#room-code-input", code);
  await bob.click("#join-code");
  await bob.waitForFunction((expected) => arena.roomCode === expected, code);
  await bob.click("#ready");
  await Promise.all([alice, bob].map((page) => page.waitForFunction(() => arena.phase === "running" && arena.frame !== undefined)));

  // Moves, then Bob's tab reloads in the middle of the match.
  for (const [page, dx] of [
    [alice, 1],
    [bob, -1],
  ] as const) {
    await page.evaluate((step) => arena.move(step, 0), dx);
  }
  await bob.waitForFunction(() => (arena.frame ?? 0) > 20);
  await bob.reload();
  await bob.waitForFunction((expected) => arena.roomCode === expected && arena.phase === "running" && arena.frame !== undefined, code);
  assert.match(await view(bob, () => arena.notice), /Back in room/);
  await bob.evaluate(() => arena.move(0, 1));
  await alice.waitForFunction(() => (arena.frame ?? 0) > 60);
  await alice.click("#end");
  await Promise.all([alice, bob].map((page) => page.waitForFunction(() => arena.phase === "closed")));
  const lastFrame = await view(alice, () => Number(document.getElementById("status")!.textContent!.match(/frame (\d+)/)![1]));
  await Promise.all([alice, bob].map((page) => page.waitForFunction((last) => arena.frame === last, lastFrame)));
  const [aliceEnd, bobEnd] = await Promise.all([alice, bob].map((page) => view(page, () => ({ frame: arena.frame, hash: arena.hash }))));
  assert.deepEqual(bobEnd, aliceEnd, "the reloaded tab ends on the same frame and state hash");

  // Play again without reloading: the lobby is back.
  await alice.waitForFunction(() => !document.getElementById("create-room")!.hasAttribute("disabled"));
  await alice.click("#play-alone");
  await alice.waitForFunction(() => arena.roomCode !== undefined && arena.phase === "waiting");
  const soloCode = (await view(alice, () => arena.roomCode))!;
  await alice.click("#ready");
  await alice.waitForFunction(() => arena.phase === "running", undefined, { timeout: 10_000 });
  // A room to play alone has no seat for anyone else.
  await bob.waitForFunction(() => !document.getElementById("join-code")!.hasAttribute("disabled"));
  await bob.fill("#room-code-input", soloCode);
  await bob.click("#join-code");
  await bob.waitForFunction(() => /is full/.test(arena.notice));
  assert.equal(await view(bob, () => arena.roomCode), undefined);
  await context.close();
});

test("a kicked player is told so and is back in the lobby; logging out leaves the room; errors are in words; the board stays square", {
  skip,
  timeout: 60_000,
}, async () => {
  const adminToken = (await new LockstepClient(demo.server.url).register(ADMIN.email, ADMIN.password)).token;
  const context = await demo.browser.newContext();
  const carol = await guestTab(context, "Carol");
  await carol.click("#play-alone");
  await carol.waitForFunction(() => arena.roomCode !== undefined);
  await carol.click("#ready");
  await carol.waitForFunction(() => arena.phase === "running");
  const code = (await view(carol, () => arena.roomCode))!;
  const uid = (await view(carol, () => arena.user!.id))!;
  assert.equal((await call(demo.server.url, `/admin/rooms/${code}/kick`, { body: { uid }, token: adminToken })).status, 200);
  await carol.waitForFunction(() => /removed from the match/.test(arena.notice));
  await carol.waitForFunction(() => !document.getElementById("create-room")!.hasAttribute("disabled"));
  assert.equal(await carol.isDisabled("#end"), true, "no End match once out of the match");

  // A double click joins one room: the lobby's buttons are off while a join is under way, and a second call does nothing.
  const before = Date.now();
  const whilePending = await carol.evaluate(async () => {
    const first = arena.createRoom();
    const disabled = ["join", "create-room", "play-alone", "join-code"].every((id) => (document.getElementById(id) as HTMLButtonElement).disabled);
    await Promise.all([first, arena.createRoom(), arena.playAlone()]);
    return disabled;
  });
  assert.equal(whilePending, true, "the lobby's buttons are disabled while a join is under way");
  await carol.waitForFunction(() => arena.roomCode !== undefined);
  const room = (await view(carol, () => arena.roomCode))!;
  const listed = (await call(demo.server.url, "/monitor/api", { token: adminToken })).body.rooms as { roomId: string; createdAt: string }[];
  const created = listed.filter((entry) => new Date(entry.createdAt).getTime() >= before - 1000).map((entry) => entry.roomId);
  assert.deepEqual(created, [room], "one room was created, not one per click");
  await carol.click("#logout");
  await carol.waitForFunction(() => document.getElementById("session")!.hidden && !document.getElementById("account")!.hidden);
  assert.equal(await carol.isVisible("#session"), false);
  const inspected = await call(demo.server.url, `/admin/rooms/${room}`, { token: adminToken });
  assert.ok(inspected.status === 404 || (inspected.body.players as unknown[]).length === 0, "logging out left the room");

  await carol.fill("#email", "not-an-email");
  await carol.fill("#password", "123");
  // The log still says what happened last (the logout): wait for the register's answer to replace it.
  const earlier = await carol.textContent("#log");
  await carol.click("#register");
  await carol.waitForFunction((previous) => {
    const text = document.getElementById("log")!.textContent;
    return text !== "" && text !== previous;
  }, earlier);
  const message = (await carol.textContent("#log"))!;
  assert.match(message, /password must have at least 6 characters/);
  assert.doesNotMatch(message, /password_too_short|\[body\./);
  assert.equal(await carol.evaluate(() => document.querySelector('link[rel="icon"]') !== null), true, "a favicon");

  for (const [width, height] of [
    [1280, 800],
    [520, 900],
    [900, 420],
    [360, 640],
  ] as const) {
    await carol.setViewportSize({ width, height });
    const box = (await carol.locator("#board").boundingBox())!;
    assert.ok(Math.abs(box.width - box.height) <= 1, `square board at ${width}×${height}: ${box.width}×${box.height}`);
  }
  await context.close();
});
