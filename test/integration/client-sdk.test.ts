import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient, type LockstepFrame, type LockstepMatch } from "../../client-sdk/src/index.ts";
import { FrameEventKind } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { cutConnection } from "../support/drop.ts";
import { EVENT_TIMEOUT_MS, TestPlayer } from "../support/player.ts";
import { LossyRoom } from "../support/rooms.ts";
import { once, startSdkMatch } from "../support/sdk-match.ts";
import { startServer } from "../support/server.ts";

let server: LockstepServer;
before(async () => {
  server = await startServer({ lossy: LossyRoom });
});
after(async () => {
  await server.close();
});

/** Everything a match delivered to onFrame, and a way to wait for a frame number. */
function recordFrames<T>(match: LockstepMatch<T>) {
  const frames: LockstepFrame<T>[] = [];
  const waiters: { frame: number; resolve: () => void }[] = [];
  match.onFrame((frame) => {
    frames.push(frame);
    for (const waiter of waiters.filter((candidate) => candidate.frame <= frame.frame)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const waitFor = (frame: number): Promise<void> =>
    frames.some((delivered) => delivered.frame >= frame)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`frame ${frame} never delivered`)), EVENT_TIMEOUT_MS);
          waiters.push({
            frame,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
  return { frames, waitFor };
}

const numbers = (frames: readonly LockstepFrame<unknown>[]) => frames.map((frame) => frame.frame);
const consecutive = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function startMatch() {
  const started = await startSdkMatch(new LockstepClient(server.url), server.url);
  assert.equal(started.match.info!.frameRate, 60);
  return started;
}

test("frames lost on the way are fetched from the log and delivered once, in order", async () => {
  const { match, observer, room } = await startMatch();
  room.losses.set(match.sessionId, new Set([5, 6, 20, 21, 22, 40]));
  const { frames, waitFor } = recordFrames(match);
  for (let n = 0; n < 5; n++) {
    match.sendAction({ kind: "move", n });
    await waitFor((match.lastFrame ?? 0) + 2);
  }
  await waitFor(45);
  assert.deepEqual(numbers(frames), consecutive(0, frames.at(-1)!.frame), "no gap, no repeat");
  const lost = observer.frames.items.filter((live) => [5, 6, 20, 21, 22, 40].includes(live.frame.frame));
  assert.equal(lost.length, 6, "the other player got those frames live");
  // The SDK's decoded frames match what the other player received byte for byte.
  await observer.waitForFrame(45);
  for (const delivered of frames.filter((frame) => frame.frame <= 45)) {
    const live = observer.frames.items.find((item) => item.frame.frame === delivered.frame)!;
    assert.equal(delivered.actions.length, live.frame.entries.filter((entry) => entry.type === "action").length, `frame ${delivered.frame}`);
  }
  const moves = frames.flatMap((frame) => frame.actions.map((entry) => entry.action));
  assert.deepEqual(
    moves.map((move) => (move.kind === "move" ? move.n : -1)),
    [0, 1, 2, 3, 4],
    "each action once, in order",
  );
  assert.ok(frames.flatMap((frame) => frame.actions).every((entry) => entry.uid === match.you!.uid && entry.slot === match.you!.slot));
  await Promise.all([match.leave(), observer.room.leave()]);
});

test("a forced disconnect mid-match: automatic reconnection, catch-up, no gap, no duplicate", async () => {
  const { match, observer } = await startMatch();
  const { frames, waitFor } = recordFrames(match);
  await waitFor(10);
  const dropped = once<void>(match.onDrop.bind(match));
  const reconnected = once<void>(match.onReconnect.bind(match));
  cutConnection(match);
  await dropped;
  assert.equal(match.connected, false);
  assert.equal(match.sendAction({ kind: "move", n: 1 }), false, "inputs are not queued while offline");
  await reconnected;
  const target = (observer.frames.items.at(-1)?.frame.frame ?? 0) + 10;
  await waitFor(target);
  assert.deepEqual(numbers(frames), consecutive(0, frames.at(-1)!.frame));
  assert.ok(match.sendAction({ kind: "move", n: 2 }));
  const withAction = await observer.frames.wait((live) => live.frame.entries.some((entry) => entry.type === "action"));
  await waitFor(withAction.frame.frame);
  const mine = frames.find((frame) => frame.frame === withAction.frame.frame)!;
  assert.deepEqual(
    mine.actions.map((entry) => entry.action),
    [{ kind: "move", n: 2 }],
  );
  const events = frames
    .flatMap((frame) => frame.events)
    .filter((event) => event.slot === match.you!.slot)
    .map((event) => event.kind);
  assert.deepEqual(events, [FrameEventKind.DROPPED, FrameEventKind.RECONNECTED], "the match saw this player drop and come back");
  await Promise.all([match.leave(), observer.room.leave()]);
});

test("requestFrames returns log frames to its promise only, never to onFrame", async () => {
  const { match, observer } = await startMatch();
  const { frames, waitFor } = recordFrames(match);
  await waitFor(12);
  const before = frames.length;
  const requested = await match.requestFrames(0, 10);
  assert.deepEqual(numbers(requested), consecutive(0, 10));
  assert.deepEqual(requested, frames.slice(0, 11));
  await waitFor(frames.at(-1)!.frame + 2);
  assert.deepEqual(numbers(frames), consecutive(0, frames.at(-1)!.frame), "no frame delivered twice");
  assert.ok(frames.length >= before);
  await assert.rejects(match.requestFrames(1_000_000), (error: Error & { code?: string }) => error.code === "FRAME_OUT_OF_RANGE");
  await Promise.all([match.leave(), observer.room.leave()]);
});

test("after a page reload, reconnect(token) takes the seat back and replays the match from its start", async () => {
  const first = await new LockstepClient(server.url, { autoReconnect: false }).joinOrCreate<LossyRoom>("lossy");
  const observer = await TestPlayer.joinById(server.url, first.roomId);
  first.ready();
  observer.ready();
  await observer.waitForFrame(15);
  const token = first.reconnectionToken;
  const slot = first.you!.slot;
  cutConnection(first);
  await once(first.onClose.bind(first));

  const second = await new LockstepClient(server.url).reconnect<LossyRoom>(token);
  const { frames, waitFor } = recordFrames(second);
  const target = (observer.frames.items.at(-1)?.frame.frame ?? 0) + 5;
  await waitFor(target);
  assert.equal(second.you!.slot, slot);
  assert.deepEqual(numbers(frames), consecutive(0, frames.at(-1)!.frame), "from frame 0, no gap");
  assert.equal(second.info!.seed, observer.starts.items[0]!.seed);
  await Promise.all([second.leave(), observer.room.leave()]);
});

test("run() steps every frame in order at the match rate", async () => {
  const { match, observer } = await startMatch();
  const stepped: number[] = [];
  let rendered = 0;
  const handle = match.run({ step: (frame) => stepped.push(frame.frame), render: () => rendered++ });
  await observer.waitForFrame(30);
  await new Promise<void>((resolve) => {
    const check = match.onFrame(() => {
      if (stepped.length >= 30) {
        check();
        resolve();
      }
    });
  });
  handle.stop();
  assert.deepEqual(stepped, consecutive(0, stepped.at(-1)!));
  assert.ok(rendered > 0);
  await Promise.all([match.leave(), observer.room.leave()]);
});
