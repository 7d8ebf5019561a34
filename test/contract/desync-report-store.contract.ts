import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { MAX_STORED_REPORT_BYTES } from "../../src/accounts/desync-report-store.ts";
import type { DesyncReport, DesyncReportStore, DesyncReportSummary } from "../../src/lockstep/desync-report.ts";

/** A valid report of a three-player match where the third player diverged; `overrides` replace fields. */
export function desyncReport(overrides: Partial<DesyncReport> = {}): DesyncReport {
  return {
    id: randomUUID(),
    room_id: "room-a",
    room_name: "arena",
    frame: 120,
    last_good_frame: 90,
    groups: [
      { uids: ["ada", "bob"], slots: [0, 1], hash: "9f2c01aa", parts: { players: "11", world: "22" } },
      { uids: ["cy"], slots: [2], hash: "41d07e3b", parts: { players: "13", world: "22" } },
    ],
    reference: 0,
    outliers: ["cy"],
    parts: ["players"],
    seed: 1_234_567,
    settings: { frame_rate: 20, start_frame: 0, checksum_interval: 30, max_players: 4 },
    reproduce: { from_frame: 0, to_frame: 120 },
    created_at: "2024-05-01T12:00:00.000Z",
    dumps: [
      { uid: "ada", slot: 0, group: 0, format: "json", state: { players: [{ x: 10, y: -2.5, name: "Adà 🚀" }], world: { tick: 120 } } },
      { uid: "cy", slot: 2, group: 1, format: "msgpack", state: { players: [{ x: 11, y: -2.5, name: "Adà 🚀" }], world: { tick: 120 } } },
    ],
    diff: [{ path: "players[0].x", values: [10, 11] }],
    diff_truncated: false,
    dump_status: "complete",
    ...overrides,
  };
}

/** The listing line of a report. */
export function summaryOf(report: DesyncReport): DesyncReportSummary {
  const { id, room_id, room_name, frame, outliers, parts, created_at } = report;
  return { id, room_id, room_name, frame, outliers, parts, created_at };
}

/** `seconds` after the start of `year`, as an ISO time: each test keeps its reports in a year of its own. */
export function isoAt(year: number, seconds: number): string {
  return new Date(Date.UTC(year, 0, 1) + seconds * 1000).toISOString();
}

/** An open store and how to release what it runs on. */
export interface OpenedDesyncReportStore {
  readonly store: DesyncReportStore;
  close(): Promise<void>;
}

/**
 * The contract every {@link DesyncReportStore} backend must meet. Each backend's test file calls
 * this with a factory; the suite is identical for the embedded database and PostgreSQL. Tests
 * share one store, so each keeps to its own rooms (or its own year, for listings of every room).
 */
export function desyncReportStoreContract(name: string, open: () => Promise<OpenedDesyncReportStore>, options: { skip?: string } = {}): void {
  let opened: OpenedDesyncReportStore | undefined;
  let store: DesyncReportStore;
  const skip = options.skip;
  before(async () => {
    if (skip !== undefined) return;
    opened = await open();
    store = opened.store;
  });
  after(async () => {
    await opened?.close();
  });

  test(`${name}: a saved report reads back whole, and an unknown id reads as undefined`, { skip }, async () => {
    const report = desyncReport({ room_id: "roundtrip" });
    await store.save(report);
    assert.deepEqual(await store.get(report.id), report);
    assert.deepEqual(await store.list({ limit: 10, roomId: "roundtrip" }), [summaryOf(report)]);
    assert.equal(await store.get(randomUUID()), undefined);
    assert.equal(await store.get(""), undefined);
  });

  test(`${name}: a report without a reference, dumps or parts reads back whole too`, { skip }, async () => {
    const report = desyncReport({
      room_id: "sparse",
      last_good_frame: null,
      reference: null,
      outliers: ["ada", "bob"],
      parts: [],
      groups: [
        { uids: ["ada"], slots: [0], hash: "01" },
        { uids: ["bob"], slots: [1], hash: "02" },
      ],
      dumps: [],
      diff: [],
      dump_status: "none",
    });
    await store.save(report);
    assert.deepEqual(await store.get(report.id), report);
  });

  test(`${name}: saving the same id again replaces the report instead of failing`, { skip }, async () => {
    const first = desyncReport({ room_id: "retried", frame: 60 });
    await store.save(first);
    await store.save(first);
    const second = { ...first, frame: 90, dump_status: "partial" as const };
    await store.save(second);
    assert.deepEqual(await store.get(first.id), second);
    assert.deepEqual(await store.list({ limit: 10, roomId: "retried" }), [summaryOf(second)]);
  });

  test(`${name}: lists newest first, ties by id descending, and pages back with before and beforeId`, { skip }, async () => {
    const room = "paged";
    const reports = [
      desyncReport({ id: "p-0", room_id: room, created_at: isoAt(2001, 0) }),
      desyncReport({ id: "p-1", room_id: room, created_at: isoAt(2001, 10) }),
      desyncReport({ id: "p-2a", room_id: room, created_at: isoAt(2001, 20) }),
      desyncReport({ id: "p-2b", room_id: room, created_at: isoAt(2001, 20) }),
      desyncReport({ id: "p-3", room_id: room, created_at: isoAt(2001, 30) }),
    ];
    // Saved out of order: the order comes from created_at, not from arrival.
    for (const index of [2, 0, 4, 1, 3]) await store.save(reports[index]!);
    const ids = (page: DesyncReportSummary[]): string[] => page.map((summary) => summary.id);
    assert.deepEqual(ids(await store.list({ limit: 10, roomId: room })), ["p-3", "p-2b", "p-2a", "p-1", "p-0"]);
    const first = await store.list({ limit: 2, roomId: room });
    assert.deepEqual(first, [summaryOf(reports[4]!), summaryOf(reports[3]!)]);
    // The page ends inside a millisecond (p-2b, p-2a): the next one starts with the rest of it.
    const next = (page: DesyncReportSummary[]) => ({ before: page.at(-1)!.created_at, beforeId: page.at(-1)!.id });
    const second = await store.list({ limit: 2, roomId: room, ...next(first) });
    assert.deepEqual(ids(second), ["p-2a", "p-1"]);
    const third = await store.list({ limit: 2, roomId: room, ...next(second) });
    assert.deepEqual(ids(third), ["p-0"]);
    assert.deepEqual(await store.list({ limit: 2, roomId: room, ...next(third) }), []);
    // Pages of one: every report once, in order.
    const paged: string[] = [];
    for (let page = await store.list({ limit: 1, roomId: room }); page.length > 0; page = await store.list({ limit: 1, roomId: room, ...next(page) })) {
      paged.push(...ids(page));
    }
    assert.deepEqual(paged, ["p-3", "p-2b", "p-2a", "p-1", "p-0"]);
    // A plain time (no id): strictly older.
    assert.deepEqual(ids(await store.list({ limit: 10, roomId: room, before: isoAt(2001, 20) })), ["p-1", "p-0"]);
    assert.deepEqual(ids(await store.list({ limit: 2, roomId: room, before: isoAt(2001, 10) })), ["p-0"]);
    assert.deepEqual(await store.list({ limit: 2, roomId: room, before: isoAt(2001, 0) }), []);
    // Every room, within this test's year.
    assert.deepEqual(ids(await store.list({ limit: 3, before: isoAt(2002, 0) })), ["p-3", "p-2b", "p-2a"]);
    // Times in another zone mean the same instant.
    assert.deepEqual(ids(await store.list({ limit: 10, roomId: room, before: "2001-01-01T02:00:20+02:00" })), ["p-1", "p-0"]);
  });

  test(`${name}: filters by room`, { skip }, async () => {
    const inA = [desyncReport({ room_id: "filter-a", created_at: isoAt(2002, 1) }), desyncReport({ room_id: "filter-a", created_at: isoAt(2002, 3) })];
    const inB = [desyncReport({ room_id: "filter-b", created_at: isoAt(2002, 2) })];
    for (const report of [...inA, ...inB]) await store.save(report);
    assert.deepEqual(await store.list({ limit: 10, roomId: "filter-a" }), [summaryOf(inA[1]!), summaryOf(inA[0]!)]);
    assert.deepEqual(await store.list({ limit: 10, roomId: "filter-b" }), [summaryOf(inB[0]!)]);
    assert.deepEqual(await store.list({ limit: 10, roomId: "filter-none" }), []);
    assert.deepEqual(
      (await store.list({ limit: 10, before: isoAt(2003, 0) })).filter((summary) => summary.created_at.startsWith("2002-")).map((summary) => summary.room_id),
      ["filter-a", "filter-b", "filter-a"],
    );
  });

  test(`${name}: clamps the limit to 1..100`, { skip }, async () => {
    const room = "clamped";
    await Promise.all(Array.from({ length: 101 }, (_, index) => store.save(desyncReport({ room_id: room, created_at: isoAt(2003, index) }))));
    assert.equal((await store.list({ limit: 1000, roomId: room })).length, 100);
    assert.equal((await store.list({ limit: 100, roomId: room })).length, 100);
    assert.equal((await store.list({ limit: 0, roomId: room })).length, 1);
    assert.equal((await store.list({ limit: -5, roomId: room })).length, 1);
    assert.equal((await store.list({ limit: Number.NaN, roomId: room })).length, 1);
    assert.equal((await store.list({ limit: 2.7, roomId: room })).length, 2);
  });

  test(`${name}: refuses a report over MAX_STORED_REPORT_BYTES, and keeps one of exactly that size`, { skip }, async () => {
    const padded = (room: string, bytes: number): DesyncReport => {
      const empty = desyncReport({ room_id: room, dumps: [{ uid: "ada", slot: 0, group: 0, format: "json", state: "" }] });
      const padding = "x".repeat(bytes - Buffer.byteLength(JSON.stringify(empty)));
      return { ...empty, dumps: [{ ...empty.dumps[0]!, state: padding }] };
    };
    const fits = padded("at-limit", MAX_STORED_REPORT_BYTES);
    await store.save(fits);
    assert.deepEqual(await store.get(fits.id), fits);
    const tooLarge = padded("over-limit", MAX_STORED_REPORT_BYTES + 1);
    await assert.rejects(store.save(tooLarge), RangeError);
    assert.equal(await store.get(tooLarge.id), undefined);
    assert.deepEqual(await store.list({ limit: 10, roomId: "over-limit" }), []);
  });

  test(`${name}: text the database cannot hold (NUL, unpaired surrogates) is kept as U+FFFD, not lost with the report`, { skip }, async () => {
    const report = desyncReport({
      room_id: "odd-text",
      dumps: [{ uid: "ada", slot: 0, group: 0, format: "msgpack", state: { "na\u0000me": "a\u0000b", half: "x\uD800y", pair: "🚀", tail: "\uDC00" } }],
    });
    await store.save(report);
    const stored = await store.get(report.id);
    assert.deepEqual(stored?.dumps[0]?.state, { "na\uFFFDme": "a\uFFFDb", half: "x\uFFFDy", pair: "🚀", tail: "\uFFFD" });
  });

  test(`${name}: refuses a listing before something that is not a time, and a report whose created_at is not one`, { skip }, async () => {
    await assert.rejects(store.list({ limit: 10, before: "yesterday" }), RangeError);
    const report = desyncReport({ room_id: "bad-time", created_at: "soon" });
    await assert.rejects(store.save(report), RangeError);
    assert.equal(await store.get(report.id), undefined);
  });
}
