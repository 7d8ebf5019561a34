import assert from "node:assert/strict";
import { test } from "node:test";
import type { Room } from "@colyseus/sdk";
import { ReconnectLoop } from "../src/reconnect-loop.ts";

/** A stand-in for a room taken back: records whether it was left. */
function fakeRoom() {
  const room = {
    left: false,
    leave: async () => {
      room.left = true;
      return 4000;
    },
  };
  return room;
}

/** A reconnector whose attempts the test settles by hand. */
function manualReconnector() {
  const attempts: { resolve: (room: Room) => void; reject: (error: Error) => void }[] = [];
  const reconnect = (): Promise<Room> => new Promise((resolve, reject) => attempts.push({ resolve, reject }));
  return { attempts, reconnect };
}

test("returns the room of the first attempt that succeeds, retrying after failures", async () => {
  const room = fakeRoom();
  let calls = 0;
  const loop = new ReconnectLoop(async () => {
    calls++;
    if (calls < 3) throw new Error("refused");
    return room as unknown as Room;
  }, 10_000);
  assert.equal(await loop.run("token"), room);
  assert.equal(calls, 3);
  assert.equal(room.left, false);
});

test("gives up once the time is up, without waiting for an attempt that hangs", async () => {
  const { attempts, reconnect } = manualReconnector();
  const started = performance.now();
  const result = await new ReconnectLoop(reconnect, 50).run("token");
  assert.equal(result, undefined);
  assert.ok(performance.now() - started >= 50, "it tried for the whole time");
  assert.equal(attempts.length, 1, "the hanging attempt was not retried on top of itself");
  const late = fakeRoom();
  attempts[0]!.resolve(late as unknown as Room);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(late.left, true, "a seat taken back after giving up is released");
});

test("cancel stops a pause at once and releases a seat an attempt in flight takes back", async () => {
  const { attempts, reconnect } = manualReconnector();
  const loop = new ReconnectLoop(reconnect, 10_000);
  const running = loop.run("token");
  attempts[0]!.reject(new Error("refused"));
  await new Promise((resolve) => setImmediate(resolve));
  loop.cancel(); // during the pause before the second attempt
  assert.equal(await running, undefined);
  assert.equal(attempts.length, 1, "no attempt after cancel");

  const second = new ReconnectLoop(reconnect, 10_000);
  const secondRun = second.run("token");
  second.cancel(); // with an attempt in flight
  assert.equal(await secondRun, undefined);
  const late = fakeRoom();
  attempts[1]!.resolve(late as unknown as Room);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(late.left, true);
});
