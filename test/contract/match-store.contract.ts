import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MatchStore, PersistedMatch } from "../../src/scaling/match-store.ts";

const sample = (roomId: string): PersistedMatch => ({
  roomId,
  roomName: "arena",
  match: { players: [{ uid: "u1", slot: 0, name: "Ada", role: "player", ready: true, connected: true }], seed: 7, frame_rate: 30, start_frame: 0 },
  seats: [{ sessionId: "s1", reconnectionToken: "t1", uid: "u1", name: "Ada", role: "player", slot: 0, auth: { id: "u1" } }],
  status: "running",
});

/** The contract of every {@link MatchStore}: run by the memory and the Redis implementations alike. */
export function matchStoreContract(name: string, open: () => Promise<MatchStore>, options: { skip?: string } = {}): void {
  const skip = options.skip;
  let store: MatchStore;
  before(async () => {
    if (skip === undefined) store = await open();
  });
  after(async () => {
    await store?.close();
  });

  test(`${name}: stores a match and its frames, byte for byte, in order`, { skip }, async () => {
    await store.saveMatch(sample("room-a"));
    const frames = [Uint8Array.of(0, 0), Uint8Array.of(1, 1, 0, 2, 0xff, 0x00), Uint8Array.of(2, 0)];
    await Promise.all(frames.map((frame) => store.appendFrame("room-a", frame)));
    const loaded = await store.loadMatch("room-a");
    assert.deepEqual(loaded?.match, sample("room-a"));
    assert.deepEqual(loaded?.frames, frames);
    assert.deepEqual(await store.activeMatches(), ["room-a"]);
    assert.equal(await store.loadMatch("missing"), undefined);
  });

  test(`${name}: a later save replaces the description (seats, status)`, { skip }, async () => {
    await store.saveMatch({ ...sample("room-a"), status: "handover", seats: [] });
    const loaded = await store.loadMatch("room-a");
    assert.equal(loaded?.match.status, "handover");
    assert.deepEqual(loaded?.match.seats, []);
    assert.equal(loaded?.frames.length, 3, "frames are kept");
  });

  test(`${name}: leases expire and can be released`, { skip }, async () => {
    await store.renewLease("room-a", "process-1", 200);
    assert.equal(await store.leaseHolder("room-a"), "process-1");
    await store.releaseLease("room-a");
    assert.equal(await store.leaseHolder("room-a"), undefined);
    await store.renewLease("room-a", "process-2", 50);
    await new Promise((resolve) => setTimeout(resolve, 120)); // the lease's own expiry is the event under test
    assert.equal(await store.leaseHolder("room-a"), undefined);
  });

  test(`${name}: exactly one of many concurrent claims wins`, { skip }, async () => {
    const results = await Promise.all(["p1", "p2", "p3", "p4"].map((processId) => store.claim("room-a", processId, 5000)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test(`${name}: a finished match is no longer active but stays readable for its retention`, { skip }, async () => {
    await store.saveMatch(sample("room-b"));
    await store.finish("room-b", 60);
    assert.deepEqual((await store.activeMatches()).sort(), ["room-a"]);
    assert.equal((await store.loadMatch("room-b"))?.match.roomId, "room-b");
  });
}
