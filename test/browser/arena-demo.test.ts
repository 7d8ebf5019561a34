import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { openGuestPage, useBrowserDemo } from "../support/browser-demo.ts";

const demo = useBrowserDemo({ secret: "browser-test-secret-with-enough-characters" });
const unavailable = demo.skip;

/** What the page exposes for automated play (see demo/web/arena-page.ts). */
interface ArenaView {
  join(): Promise<void>;
  user: { id: string; name: string; anonymous: boolean } | undefined;
  phase: string;
  slot: number | undefined;
  frame: number | undefined;
  hash: string | undefined;
  state: { players: { slot: number; x: number; y: number }[] } | undefined;
}
declare const arena: ArenaView;

async function openPlayer(name: string): Promise<Page> {
  const { page, errors: problems } = await openGuestPage(demo.browser, demo.server.url, name, { width: 760, height: 480 });
  await page.click("#join");
  await page.waitForFunction(() => arena.phase === "waiting");
  const user = await page.evaluate(() => arena.user!);
  assert.equal(user.name, name);
  assert.equal(user.anonymous, true);
  assert.deepEqual(problems, [], `page errors for ${name}`);
  return page;
}

/** Presses the arrow key that moves this player toward the centre, then waits until the page's simulation shows the move. */
async function stepTowardCentre(page: Page, axis: "x" | "y"): Promise<void> {
  const { key, before } = await page.evaluate((direction) => {
    const me = arena.state!.players.find((player) => player.slot === arena.slot)!;
    const position = direction === "x" ? me.x : me.y;
    const forward = position < 8;
    return {
      key: direction === "x" ? (forward ? "ArrowRight" : "ArrowLeft") : forward ? "ArrowDown" : "ArrowUp",
      before: `${me.x},${me.y}`,
    };
  }, axis);
  await page.keyboard.press(key);
  await page.waitForFunction((previous) => {
    const me = arena.state!.players.find((player) => player.slot === arena.slot)!;
    return `${me.x},${me.y}` !== previous;
  }, before);
}

test("two browser tabs play the demo in lockstep and end with the same frame count and state hash", { skip: unavailable }, async () => {
  const alice = await openPlayer("Alice");
  const bob = await openPlayer("Bob");
  await alice.click("#ready");
  await bob.click("#ready");
  await Promise.all([alice, bob].map((page) => page.waitForFunction(() => arena.phase === "running" && arena.frame !== undefined)));
  const startHash = await alice.evaluate(() => arena.hash);

  // Real key presses, four steps each, in both tabs at once.
  await Promise.all([
    (async () => {
      for (let i = 0; i < 4; i++) await stepTowardCentre(alice, "x");
    })(),
    (async () => {
      for (let i = 0; i < 4; i++) await stepTowardCentre(bob, "y");
    })(),
  ]);
  await alice.click("#end");
  // match_end, then the room closes: the phase ends at `closed`; the status shows the match ended normally.
  await Promise.all([alice, bob].map((page) => page.waitForFunction(() => arena.phase === "closed")));
  const lastFrame = await alice.evaluate(() => Number(document.getElementById("status")!.textContent!.match(/frame (\d+)/)![1]));
  await Promise.all([alice, bob].map((page) => page.waitForFunction((last) => arena.frame === last, lastFrame)));

  const [aliceEnd, bobEnd] = await Promise.all(
    [alice, bob].map((page) => page.evaluate(() => ({ frame: arena.frame, hash: arena.hash, shown: document.getElementById("hash")!.textContent }))),
  );
  assert.equal(aliceEnd!.frame, lastFrame);
  assert.deepEqual(bobEnd, aliceEnd, "same frame count and state hash in both tabs");
  assert.equal(aliceEnd!.shown, aliceEnd!.hash, "the page shows the hash it computed");
  assert.notEqual(aliceEnd!.hash, startHash, "the players' moves changed the state");

  const screenshot = await alice.screenshot();
  const path = join(tmpdir(), "lockstep-arena.png");
  writeFileSync(path, screenshot);
  const colours = await countColours(alice, screenshot);
  assert.ok(colours >= 5, `screenshot (${path}) shows only ${colours} colours`);
});

test("the <script> bundle's deterministic RNG gives the same numbers in Chromium as in Node", { skip: unavailable }, async () => {
  const page = await demo.browser.newPage();
  await page.goto(demo.server.url);
  const values = await page.evaluate(() => {
    const random = (globalThis as unknown as { ColyseusLockstep: { createRandom(seed: number): { nextUint32(): number } } }).ColyseusLockstep.createRandom(42);
    return [random.nextUint32(), random.nextUint32(), random.nextUint32()];
  });
  assert.deepEqual(values, [1028872839, 2516511472, 400437680]);
});

/** Decodes a PNG in the browser and counts its distinct colours (a blank page has one or two). */
async function countColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d")!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4) colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
    return colours.size;
  }, png.toString("base64"));
}
