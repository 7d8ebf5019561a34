import assert from "node:assert/strict";
import type { LockstepClient, LockstepMatch } from "../../client-sdk/src/index.ts";
import { EVENT_TIMEOUT_MS, TestPlayer } from "./player.ts";
import type { LossyRoom, TestAction, TestGameRoom } from "./rooms.ts";
import { serverRoom } from "./server.ts";

/** The first value a client-SDK event delivers (`once(match.onStart.bind(match))`). */
export function once<T>(subscribe: (listener: (value: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      off();
      resolve(value);
    });
  });
}

/**
 * A running two-player match: `client` joins (or creates) a room of `roomName` (the `lossy`
 * room by default) through the client SDK, a raw-SDK observer takes the second seat, both get
 * ready, and the match starts.
 */
export async function startSdkMatch<R extends TestGameRoom = LossyRoom>(
  client: LockstepClient,
  url: string,
  roomName = "lossy",
): Promise<{ match: LockstepMatch<TestAction>; observer: TestPlayer; room: R }> {
  const match = await client.joinOrCreate<LossyRoom>(roomName, { name: "sdk" });
  const observer = await TestPlayer.joinById(url, match.roomId);
  const started = once(match.onStart.bind(match));
  match.ready();
  observer.ready();
  const info = await started;
  assert.equal(match.seed, info.seed);
  assert.equal(match.phase, "running");
  return { match, observer, room: serverRoom<R>(match.roomId) };
}

/** `promise`, or a rejection naming `what` if it takes longer than {@link EVENT_TIMEOUT_MS} (a hang would stall CI). */
export function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${EVENT_TIMEOUT_MS} ms waiting for ${what}`)), EVENT_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True if `promise` settles before the next macrotask: it waited for nothing (no I/O, no timer). */
export async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}
