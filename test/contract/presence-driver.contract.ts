import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { initializeRoomCache, type MatchMakerDriver, type Presence } from "@colyseus/core";

/**
 * What this project relies on from Colyseus's scaling seams (matchmaking across processes and
 * the match hand-over wake-up), checked on every implementation: the local ones and Redis.
 */
export function presenceDriverContract(
  name: string,
  open: () => Promise<{ presence: Presence; driver: MatchMakerDriver }>,
  options: { skip?: string } = {},
): void {
  const skip = options.skip;
  let presence: Presence;
  let driver: MatchMakerDriver;
  before(async () => {
    if (skip === undefined) ({ presence, driver } = await open());
  });
  after(async () => {
    presence?.shutdown();
    await driver?.shutdown?.();
  });

  test(`${name} presence: publish reaches subscribers, and stops after unsubscribe`, { skip }, async () => {
    const topic = `topic-${randomUUID()}`;
    const received: unknown[] = [];
    let resolveFirst!: () => void;
    const first = new Promise<void>((resolve) => (resolveFirst = resolve));
    const listener = (message: unknown): void => {
      received.push(message);
      resolveFirst();
    };
    await presence.subscribe(topic, listener);
    await presence.publish(topic, { roomId: "abc" });
    await first;
    assert.deepEqual(received, [{ roomId: "abc" }]);
    presence.unsubscribe(topic, listener);
    // A message on a second topic, published after, arrives after: a barrier for "nothing more came".
    const barrier = `barrier-${randomUUID()}`;
    const barrierReached = new Promise<void>((resolve) => void presence.subscribe(barrier, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    await presence.publish(topic, { roomId: "late" });
    await presence.publish(barrier, "done");
    await barrierReached;
    assert.deepEqual(received, [{ roomId: "abc" }]);
  });

  test(`${name} presence: keys, hashes and sets`, { skip }, async () => {
    const key = `key-${randomUUID()}`;
    await presence.set(key, "one");
    assert.equal(await presence.get(key), "one");
    await presence.del(key);
    // Local answers undefined, Redis null: callers must treat any empty value as absent.
    assert.equal((await presence.get(key)) ?? undefined, undefined);
    await presence.hset(`${key}:h`, "field", "value");
    assert.equal(await presence.hget(`${key}:h`, "field"), "value");
    assert.equal(await presence.hincrby(`${key}:h`, "count", 2), 2);
    await presence.sadd(`${key}:s`, "a");
    await presence.sadd(`${key}:s`, "b");
    assert.deepEqual((await presence.smembers(`${key}:s`)).sort(), ["a", "b"]);
  });

  test(`${name} driver: rooms are recorded, found, updated and removed`, { skip }, async () => {
    const roomId = `room-${randomUUID().slice(0, 8)}`;
    const room = initializeRoomCache({ roomId, name: "arena", processId: "process-a", publicAddress: "127.0.0.1:1", maxClients: 4 });
    assert.equal(await (driver.insert ? driver.insert(room) : driver.persist(room, true)), true);
    if (driver.insert)
      assert.equal(await driver.insert(initializeRoomCache({ roomId, name: "arena", processId: "process-b" })), false, "a room id is recorded once");
    const found = await driver.findOne({ roomId });
    assert.equal(found?.processId, "process-a");
    assert.equal(found?.publicAddress, "127.0.0.1:1");
    await driver.update(found!, { $inc: { clients: 1 }, $set: { locked: true } });
    const updated = await driver.findOne({ roomId });
    assert.equal(updated?.clients, 1);
    assert.equal(updated?.locked, true);
    assert.ok((await driver.query({ name: "arena" })).some((candidate) => candidate.roomId === roomId));
    assert.equal(await driver.remove(roomId), true);
    assert.equal((await driver.findOne({ roomId })) ?? undefined, undefined);
  });
}
