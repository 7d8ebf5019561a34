import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameLog } from "../../../src/lockstep/frame-log.ts";
import { FramePublisher, type FrameJournal, type PublishFailure } from "../../../src/lockstep/frame-publisher.ts";
import type { MonotonicClock, Timers } from "../../../src/lockstep/frame-scheduler.ts";
import { frameNumberOf } from "../../../src/protocol/index.ts";
import { frameToBytes } from "../../support/frames.ts";
import type { FramesWrite, JournalOwner, PersistedMatch } from "../../../src/scaling/match-store.ts";
import { MemoryMatchStore } from "../../support/memory-match-store.ts";

const OUTAGE_LIMIT_MS = 15_000;
const OWNER: JournalOwner = { processId: "p1", leaseTtlMs: 3_600_000 };
const RECORD: PersistedMatch = {
  roomId: "room",
  roomName: "arena",
  match: { players: [], seed: 1, frame_rate: 30, start_frame: 0 },
  seats: [],
  status: "running",
};

/** Simulated time for the publisher's retries and outage limit. */
class FakeTime implements MonotonicClock, Timers {
  time = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves the clock forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = until;
  }
}

/** A journal over the real memory store (its numbering and fencing rules), with a switch that makes writes fail like an unreachable Redis. */
class SwitchableJournal implements FrameJournal {
  readonly roomId = "room";
  readonly outageLimitMs = OUTAGE_LIMIT_MS;
  readonly memory = new MemoryMatchStore();
  readonly writes: { from: number; count: number }[] = [];
  reachable = true;
  #openAt: number | undefined = 0;
  listener: { fenced(): void; recordLost(): void } | undefined;

  listen(listener: { fenced(): void; recordLost(): void }): void {
    this.listener = listener;
  }

  rebuild(firstFrame: number): void {
    this.#openAt = firstFrame;
  }

  async store(from: number, frames: readonly Uint8Array[]): Promise<FramesWrite> {
    this.writes.push({ from, count: frames.length });
    if (!this.reachable) throw new Error("connect ECONNREFUSED");
    if (this.#openAt !== undefined) {
      await this.memory.openJournal(OWNER, RECORD, this.#openAt);
      this.#openAt = undefined;
    }
    return this.memory.storeFrames(OWNER, this.roomId, from, frames);
  }
}

/** Lets pending promise callbacks (the journal's answers) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(options: { maxBytes?: number; blockBytes?: number } = {}) {
  const time = new FakeTime();
  const log = new FrameLog({
    firstFrame: 0,
    maxBytes: options.maxBytes ?? 1 << 20,
    ...(options.blockBytes !== undefined ? { blockBytes: options.blockBytes } : {}),
  });
  const sent: number[] = [];
  const failures: PublishFailure[] = [];
  const publisher = new FramePublisher({
    log,
    send: (bytes) => sent.push(frameNumberOf(bytes)),
    onFailure: (reason) => failures.push(reason),
    clock: time,
    timers: time,
  });
  const journal = new SwitchableJournal();
  publisher.attach(journal);
  /** Closes the next frame, as the room's clock does, `periodMs` after the previous one. */
  const close = (periodMs = 33): void => {
    time.advance(periodMs);
    const frame = log.nextFrame;
    publisher.publish(frame, log.append(frameToBytes({ frame, entries: [] })));
  };
  return { time, log, sent, failures, publisher, journal, close };
}

test("without a journal, a frame goes out at once", () => {
  const log = new FrameLog({ firstFrame: 5, maxBytes: 1 << 20 });
  const sent: number[] = [];
  const publisher = new FramePublisher({ log, send: (bytes) => sent.push(frameNumberOf(bytes)) });
  publisher.publish(5, log.append(frameToBytes({ frame: 5, entries: [] })));
  assert.deepEqual(sent, [5]);
  assert.equal(publisher.lastPublished, 5);
});

test("a frame goes out only once stored, in order; frames closed during a write are stored together", async () => {
  const { sent, journal, close } = setup();
  close();
  assert.deepEqual(sent, [], "not sent before the store answered");
  close();
  close();
  await settle();
  assert.deepEqual(sent, [0, 1, 2]);
  assert.deepEqual(journal.writes, [
    { from: 0, count: 1 },
    { from: 1, count: 2 },
  ]);
  assert.equal((await journal.memory.loadMatch("room"))?.frames.length, 3);
});

test("while the store is unreachable nothing is sent; writes are retried with backoff; then the backlog goes out in order", async () => {
  const { time, sent, journal, close, failures } = setup();
  close();
  await settle();
  journal.reachable = false;
  for (let i = 0; i < 60; i++) {
    close(50);
    await settle();
  }
  assert.deepEqual(sent, [0], "nothing unstored was sent");
  const attempts = journal.writes.length - 1;
  assert.ok(attempts >= 5 && attempts <= 12, `${attempts} attempts in 3 s: backoff, not one per frame`);
  journal.reachable = true;
  time.advance(1000);
  await settle();
  assert.deepEqual(
    sent,
    Array.from({ length: 61 }, (_, frame) => frame),
    "every frame, once, in order",
  );
  assert.equal(journal.writes.at(-1)!.count, 60, "the backlog went in one write");
  assert.deepEqual(failures, []);
});

test(`nothing stored for the outage limit: the publisher gives up, sends nothing more, and settles`, async () => {
  const { time, sent, journal, close, failures, publisher } = setup();
  close();
  await settle();
  journal.reachable = false;
  const settled = publisher.settled();
  while (failures.length === 0 && time.now() < OUTAGE_LIMIT_MS + 2000) {
    close();
    await settle();
  }
  assert.deepEqual(failures, ["outage"]);
  assert.ok(time.now() >= OUTAGE_LIMIT_MS, `gave up at ${time.now()} ms`);
  await settled;
  journal.reachable = true;
  close();
  time.advance(5000);
  await settle();
  assert.deepEqual(sent, [0]);
  assert.equal(publisher.failure, "outage");
});

test("another process owns the match: the publisher stops at once", async () => {
  const { sent, journal, close, failures } = setup();
  close();
  await settle();
  await journal.memory.releaseLease("room", "p1");
  await journal.memory.renewLease({ processId: "p2", leaseTtlMs: 3_600_000 }, "room");
  close();
  await settle();
  assert.deepEqual(failures, ["fenced"]);
  assert.deepEqual(sent, [0]);
});

test("the store lost the journal: it is rebuilt from the log's first frame, and no frame is sent twice", async () => {
  const { sent, journal, close, log } = setup();
  for (let i = 0; i < 5; i++) close();
  await settle();
  journal.memory.wipe();
  journal.listener!.recordLost();
  close();
  await settle();
  assert.deepEqual(sent, [0, 1, 2, 3, 4, 5]);
  const stored = await journal.memory.loadMatch("room");
  assert.equal(stored?.firstFrame, log.firstFrame);
  assert.deepEqual(stored?.frames.map(frameNumberOf), [0, 1, 2, 3, 4, 5]);
});

test("frames evicted from the log before they could be stored: the publisher gives up", async () => {
  // Blocks of 16 bytes (5 three-byte frames) and room for two: the log keeps about 10 frames.
  const { journal, close, failures, sent } = setup({ blockBytes: 16, maxBytes: 2 * (16 + 1024) });
  close();
  await settle();
  journal.reachable = false;
  for (let i = 0; i < 20 && failures.length === 0; i++) {
    close();
    await settle();
  }
  journal.reachable = true;
  close(1000);
  await settle();
  assert.deepEqual(failures, ["evicted"]);
  assert.deepEqual(sent, [0]);
});
