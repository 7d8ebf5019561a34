import assert from "node:assert/strict";
import { RedisMatchStore } from "../../src/scaling/redis-match-store.ts";
import type { StoredMatch } from "../../src/scaling/match-store.ts";
import { consecutiveFromZero, contradictions, type Pair } from "./cluster-match.ts";

/** The journal of `roomId` as every process reads it (throws `JournalError` on a hole). */
export async function readJournal(redisUrl: string, roomId: string): Promise<StoredMatch | undefined> {
  const store = new RedisMatchStore(redisUrl);
  try {
    return await store.loadMatch(roomId);
  } finally {
    await store.close();
  }
}

/** The process holding `roomId`'s lease, read from Redis. */
export async function leaseHolder(redisUrl: string, roomId: string): Promise<string | undefined> {
  const store = new RedisMatchStore(redisUrl);
  try {
    return await store.leaseHolder(roomId);
  } finally {
    await store.close();
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/**
 * Asserts that a match that moved or went through a fault has one history, the same for
 * everyone: each player got every frame once, in order, from 0; no frame number ever reached a
 * socket twice with different bytes; both players saw the same frames; a replay from the
 * process that runs the match now is what they saw; and every frame a player received is in
 * the journal (which must have no hole) with the same bytes: nothing was sent that was not stored.
 */
export async function assertOneHistory(pair: Pair, redisUrl: string): Promise<StoredMatch> {
  const { a, ra, rb } = pair;
  // What reached the sockets so far, then the journal: everything in the first must be in the second.
  const wires = [[...ra.wire], [...rb.wire]];
  const journal = await readJournal(redisUrl, a.roomId);
  assert.ok(journal !== undefined, `match ${a.roomId} is journaled`);
  for (const [name, recorded] of [
    ["Ann", ra],
    ["Ben", rb],
  ] as const) {
    assert.ok(consecutiveFromZero(recorded.frames), `${name} got frames ${recorded.frames.map((frame) => frame.frame).join(",")}`);
    assert.deepEqual(contradictions(recorded.wire), [], `${name} never got two versions of a frame`);
  }
  const end = Math.min(ra.frames.at(-1)!.frame, rb.frames.at(-1)!.frame);
  assert.equal(JSON.stringify(ra.frames.slice(0, end + 1)), JSON.stringify(rb.frames.slice(0, end + 1)), "both players saw the same match");
  const replay = await a.requestFrames(0, end);
  assert.equal(JSON.stringify(replay), JSON.stringify(ra.frames.slice(0, end + 1)), "a replay from the process running the match is what the players saw");

  const lastStored = journal.firstFrame + journal.frames.length - 1;
  for (const wire of wires) {
    for (const { frame, hex: bytes } of wire) {
      assert.ok(frame <= lastStored, `frame ${frame} was sent but the journal ends at ${lastStored}`);
      if (frame >= journal.firstFrame) assert.equal(bytes, hex(journal.frames[frame - journal.firstFrame]!), `frame ${frame} as sent and as stored`);
    }
  }
  return journal;
}
