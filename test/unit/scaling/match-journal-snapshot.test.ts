import assert from "node:assert/strict";
import { test } from "node:test";
import type { VerifiedSnapshot } from "../../../src/lockstep/snapshot-keeper.ts";
import { MatchJournal } from "../../../src/scaling/match-journal.ts";
import type { JournalOwner, PersistedMatch, RecordWrite } from "../../../src/scaling/match-store.ts";
import { frameToBytes } from "../../support/frames.ts";
import { MemoryMatchStore } from "../../support/memory-match-store.ts";

const RECORD: PersistedMatch = {
  roomId: "room-s",
  roomName: "arena",
  match: { players: [], seed: 1, frame_rate: 30, start_frame: 0 },
  seats: [],
  status: "running",
};

const frames = (from: number, to: number): Uint8Array[] =>
  Array.from({ length: to - from + 1 }, (_, index) => frameToBytes({ frame: from + index, entries: [] }));

/** The memory store, telling each snapshot write as it completes. */
class WatchedStore extends MemoryMatchStore {
  readonly snapshotWrites: Promise<RecordWrite>[] = [];

  override saveSnapshot(owner: JournalOwner, roomId: string, snapshot: VerifiedSnapshot): Promise<RecordWrite> {
    const written = super.saveSnapshot(owner, roomId, snapshot);
    this.snapshotWrites.push(written);
    return written;
  }
}

test("the journal keeps the latest verified snapshot in the store, writes it again after a rebuild, and never after the end", async () => {
  const store = new WatchedStore();
  const journal = MatchJournal.open(store, RECORD);
  try {
    assert.deepEqual(await journal.store(0, frames(0, 5)), { status: "stored", lastFrame: 5 });
    const snapshot = { frame: 3, state: '{"coin":1}' };
    journal.saveSnapshot(snapshot);
    assert.deepEqual(await store.snapshotWrites.at(-1), { status: "ok" });
    assert.deepEqual((await store.loadMatch(RECORD.roomId))?.snapshot, snapshot);

    // The store lost everything; the frame publisher rebuilds the journal from the log's first frame.
    store.wipe();
    journal.rebuild(0);
    const writesBefore = store.snapshotWrites.length;
    assert.deepEqual(await journal.store(0, frames(0, 6)), { status: "stored", lastFrame: 6 });
    assert.equal(store.snapshotWrites.length, writesBefore + 1, "the reopened journal gets its snapshot back");
    await store.snapshotWrites.at(-1);
    assert.deepEqual((await store.loadMatch(RECORD.roomId))?.snapshot, snapshot);

    await journal.finish();
    const writesAtEnd = store.snapshotWrites.length;
    journal.saveSnapshot({ frame: 6, state: "{}" });
    assert.equal(store.snapshotWrites.length, writesAtEnd, "nothing is written once the match ended");
  } finally {
    journal.stop();
  }
});
