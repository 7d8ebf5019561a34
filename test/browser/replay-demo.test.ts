import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { openReplayStore } from "../../src/accounts/replay-store.ts";
import { openGuestPage, useBrowserDemo } from "../support/browser-demo.ts";
import type { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import { eventually } from "../support/eventually.ts";
import { call } from "../support/http.ts";
import { serverRoom } from "../support/server.ts";

const demo = useBrowserDemo({
  secret: "replay-demo-test-secret-with-enough-characters",
  // Snapshots at most every 30 frames (a check's interval), so a match of MATCH_FRAMES has some to seek from.
  extra: async (store) => ({ replays: await openReplayStore(store), arena: { snapshotIntervalFrames: 30 } }),
});
const unavailable = demo.skip;
const skip = unavailable;

/** Frames the match runs before it is ended: four seconds at the arena's 20 Hz, past two snapshots (frames 30 and 60). */
const MATCH_FRAMES = 80;

/** What the page exposes for automated play (see demo/web/arena-page.ts and replay-panel.ts). */
interface ArenaView {
  user: { id: string; name: string } | undefined;
  roomCode: string | undefined;
  phase: string;
  slot: number | undefined;
  frame: number | undefined;
  state: { players: { slot: number; x: number; y: number }[] } | undefined;
  liveFinalHash: string | undefined;
  replayId: string | undefined;
  replay:
    | {
        frame: number;
        firstFrame: number;
        lastFrame: number;
        hash: string | undefined;
        playing: boolean;
        ended: boolean;
        speed: number;
        starts: number;
        startedFrom: number;
        verifiedFrames: number;
        mismatches: number;
      }
    | undefined;
}
declare const arena: ArenaView;

/** A tab with a guest player in the arena's lobby. */
interface Tab {
  readonly page: Page;
  readonly name: string;
  /** Errors the page's scripts threw. */
  readonly errors: string[];
}

async function openTab(name: string): Promise<Tab> {
  const { page, errors } = await openGuestPage(demo.browser, demo.server.url, name, { width: 760, height: 900 });
  await page.click("#join");
  await page.waitForFunction(() => arena.phase === "waiting");
  return { page, name, errors };
}

/** Presses the arrow key that moves this player toward the centre, then waits until the page's simulation shows the move. */
async function stepTowardCentre(page: Page, axis: "x" | "y"): Promise<void> {
  const { key, before } = await page.evaluate((direction) => {
    const me = arena.state!.players.find((player) => player.slot === arena.slot)!;
    const forward = (direction === "x" ? me.x : me.y) < 8;
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

/** Moves the replay's slider as a person would (`fill` sets a range input and fires its `input` event), and reads where the replay got to. */
async function slideTo(page: Page, frame: number): Promise<{ frame: number; hash: string; starts: number; readout: string }> {
  await page.fill("#replay-seek", String(frame));
  return page.evaluate(() => ({
    frame: arena.replay!.frame,
    hash: arena.replay!.hash!,
    starts: arena.replay!.starts,
    readout: document.getElementById("replay-frame")!.textContent!,
  }));
}

const text = (page: Page, id: string): Promise<string> => page.evaluate((target) => document.getElementById(target)!.textContent!, id);

test("after a match, a player watches its replay: seeking back re-simulates, and it ends on the live match's final state", {
  skip,
  timeout: 60_000,
}, async () => {
  const alice = await openTab("Alice");
  const bob = await openTab("Bob");
  const tabs = [alice, bob];
  for (const { page } of tabs) await page.click("#ready");
  await Promise.all(tabs.map(({ page }) => page.waitForFunction(() => arena.phase === "running" && arena.frame !== undefined)));
  await Promise.all([
    (async () => {
      for (let i = 0; i < 3; i++) await stepTowardCentre(alice.page, "x");
    })(),
    (async () => {
      for (let i = 0; i < 3; i++) await stepTowardCentre(bob.page, "y");
    })(),
  ]);
  await alice.page.waitForFunction((frames) => arena.frame! >= frames, MATCH_FRAMES);
  // The match runs on until the room has verified a snapshot, however slow the machine: the replay seeks from it below.
  const room = serverRoom<LockstepRoom>((await alice.page.evaluate(() => arena.roomCode))!);
  await eventually(() => assert.ok((room.inspect().snapshot_frame ?? 0) >= 30, "a snapshot is verified"));
  assert.equal(await alice.page.isDisabled("#watch-replay"), true, "no replay while the match runs");
  await alice.page.click("#end");

  // Each tab records the live final hash once it has stepped the match's last frame.
  await Promise.all(tabs.map(({ page }) => page.waitForFunction(() => arena.phase === "closed" && arena.liveFinalHash !== undefined)));
  const [aliceLive, bobLive] = await Promise.all(
    tabs.map(({ page }) => page.evaluate(() => ({ hash: arena.liveFinalHash!, replayId: arena.replayId, frame: arena.frame! }))),
  );
  assert.deepEqual(bobLive, aliceLive, "both tabs end the match on the same frame, state and replay");
  const liveFinalHash = aliceLive!.hash;
  const replayId = aliceLive!.replayId;
  assert.ok(replayId !== undefined, "match_end names the replay");
  assert.equal(await text(alice.page, "final-hash"), liveFinalHash, "the page shows the live final hash");
  assert.match(await text(alice.page, "status"), /^match over at frame \d+$/);

  assert.equal(await alice.page.isHidden("#replay"), true, "no replay section before one is opened");
  // The replay may not be written yet: the page waits for it, saying so.
  await alice.page.click("#watch-replay");
  await alice.page.waitForFunction(() => arena.replay !== undefined, undefined, { timeout: 15_000 });
  const { firstFrame, lastFrame } = (await alice.page.evaluate(() => arena.replay))!;
  assert.equal(lastFrame, aliceLive!.frame, "the replay ends on the match's last frame");
  assert.equal(await text(alice.page, "replay-frame"), `frame ${firstFrame - 1} / ${lastFrame}`);
  assert.equal(await alice.page.isVisible("#replay"), true);
  assert.equal(await text(alice.page, "replay-status"), "paused");

  await alice.page.selectOption("#replay-speed", "8");
  assert.equal(await alice.page.evaluate(() => arena.replay!.speed), 8);

  const near = firstFrame + 2;
  // Before the first snapshot (frame 30): forward from `near` steps on.
  const middle = firstFrame + 20;
  const atNear = await slideTo(alice.page, near);
  assert.equal(atNear.frame, near);
  assert.equal(atNear.readout, `frame ${near} / ${lastFrame}`);
  const atMiddle = await slideTo(alice.page, middle);
  assert.equal(atMiddle.frame, middle);
  assert.equal(atMiddle.starts, atNear.starts, "a forward seek steps on from where the replay is");
  assert.notEqual(atMiddle.hash, atNear.hash);
  const backAtNear = await slideTo(alice.page, near);
  assert.equal(backAtNear.frame, near);
  assert.equal(backAtNear.starts, atNear.starts + 1, "a backward seek rebuilds the game from the seed");
  assert.equal(await alice.page.evaluate(() => arena.replay!.startedFrom), firstFrame - 1, "no snapshot before it: from the seed");
  assert.equal(backAtNear.hash, atNear.hash, "and re-simulates to the same state");

  await alice.page.click("#replay-play");
  await alice.page.waitForFunction(() => arena.replay!.ended, undefined, { timeout: 15_000 });
  const replay = (await alice.page.evaluate(() => arena.replay))!;
  assert.equal(replay.frame, lastFrame);
  assert.equal(replay.hash, liveFinalHash, "the replay ends on the live match's final state");
  assert.equal(replay.playing, false);
  assert.equal(replay.mismatches, 0, "every recorded checksum is reproduced");
  assert.ok(replay.verifiedFrames > 0, "the replay recorded checksums to verify");
  assert.equal(await text(alice.page, "replay-frame"), `frame ${lastFrame} / ${lastFrame}`);
  assert.equal(await text(alice.page, "replay-status"), "replay over");
  assert.equal(await text(alice.page, "replay-final-hash"), liveFinalHash);
  assert.equal(await text(alice.page, "replay-verdict"), "same final state as the live match");
  assert.equal(await text(alice.page, "final-hash"), liveFinalHash, "the live final hash stays on show");

  // Back to the start, then to the end: the game restarts from the match's last verified snapshot, not the seed.
  await slideTo(alice.page, near);
  const startsBefore = (await alice.page.evaluate(() => arena.replay!.starts))!;
  const atEnd = await slideTo(alice.page, lastFrame);
  const fromSnapshot = await alice.page.evaluate(() => arena.replay!);
  assert.equal(atEnd.starts, startsBefore + 1, "one rebuild");
  assert.ok(fromSnapshot.startedFrom >= 30 && fromSnapshot.startedFrom < lastFrame, `started from the snapshot of frame ${fromSnapshot.startedFrom}`);
  assert.equal(atEnd.hash, liveFinalHash, "and reaches the live match's final state");
  assert.equal(fromSnapshot.mismatches, 0, "the snapshot hashes as the players agreed");
  assert.equal(await text(alice.page, "replay-verdict"), "same final state as the live match");

  // Playing again: the replay of the last match stops and its section goes, so the board is the new match's.
  await alice.page.click("#play-alone");
  await alice.page.waitForFunction(() => arena.phase === "waiting" && arena.replay === undefined);
  assert.equal(await alice.page.isHidden("#replay"), true);

  // Someone who did not play the match may not download it.
  const carol = await new LockstepClient(demo.server.url).loginAnonymous({ name: "Carol" });
  const refused = await call(demo.server.url, `/replays/${replayId}`, { token: carol.token });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, "forbidden");

  for (const tab of tabs) assert.deepEqual(tab.errors, [], `page errors for ${tab.name}`);
  await Promise.all(tabs.map(({ page }) => page.close()));
});
