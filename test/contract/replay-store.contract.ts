import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { SqlClient } from "../../src/accounts/sql-client.ts";
import { encodeReplayDocument } from "../../src/lockstep/replay-document.ts";
import type { ReplayStore, ReplaySummary, StoredReplay } from "../../src/lockstep/replay-store.ts";
import { FrameEventKind, type FrameEntry } from "../../src/protocol/frame-codec.ts";
import { readReplayDocument, runsOfFrames, type ReplayHeader } from "../../src/protocol/replay-format.ts";
import { frameToBytes } from "../support/frames.ts";

/** `seconds` after the start of `year`, as an ISO time: each test keeps its replays in a year of its own. */
export function isoAt(year: number, seconds: number): string {
  return new Date(Date.UTC(year, 0, 1) + seconds * 1000).toISOString();
}

/** What a test replay is made of; everything has a default. */
export interface ReplaySpec {
  readonly id?: string;
  readonly roomName?: string;
  readonly endedAt?: string;
  /** Uids of the players, in the order they took their seats (a uid twice: left and came back). */
  readonly players?: readonly string[];
  readonly public?: boolean;
  /** Frames closed in the match (default 4). */
  readonly frameCount?: number;
  /** Bytes of random (incompressible) payload per action, to make large documents. */
  readonly payloadBytes?: number;
}

/** A test replay: what was written (header and frames) and what is stored. */
export interface ReplayFixture extends StoredReplay {
  readonly header: ReplayHeader;
  readonly frames: readonly Uint8Array[];
}

/** The frames of a match: one action per player in every frame, and a drop and return of the first player. */
function matchFrames(startFrame: number, count: number, slots: number, payloadBytes: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let frame = startFrame; frame < startFrame + count; frame++) {
    const entries: FrameEntry[] = [];
    for (let slot = 0; slot < slots; slot++) {
      const payload = payloadBytes > 0 ? new Uint8Array(randomBytes(payloadBytes)) : Uint8Array.of(frame & 0xff, slot);
      entries.push({ type: "action", slot, payload });
    }
    if (frame === startFrame + 1) entries.push({ type: "event", slot: 0, kind: FrameEventKind.DROPPED });
    if (frame === startFrame + 2) entries.push({ type: "event", slot: 0, kind: FrameEventKind.RECONNECTED });
    frames.push(frameToBytes({ frame, entries }));
  }
  return frames;
}

/** A real replay document of a small match, as the server writes one, with its summary. */
export async function replayFixture(spec: ReplaySpec = {}): Promise<ReplayFixture> {
  const uids = spec.players ?? ["ada", "bob"];
  const endedAt = spec.endedAt ?? isoAt(2024, 600);
  const startedAt = new Date(Date.parse(endedAt) - 60_000).toISOString();
  const startFrame = 5;
  const frameCount = spec.frameCount ?? 4;
  const slotOf = new Map<string, number>();
  for (const uid of uids) if (!slotOf.has(uid)) slotOf.set(uid, slotOf.size);
  const participants = uids.map((uid, index) => ({
    uid,
    name: `Player ${uid}`,
    role: "player",
    slot: slotOf.get(uid)!,
    joined_frame: startFrame + index,
    joined_at: startedAt,
    left_frame: null,
    left_at: null,
    left_reason: null,
  }));
  const header: ReplayHeader = {
    id: spec.id ?? randomUUID(),
    room_id: `room-${randomUUID().slice(0, 8)}`,
    room_name: spec.roomName ?? "arena",
    seed: 424_242,
    frame_rate: 20,
    start_frame: startFrame,
    checksum_interval: 2,
    players: [...slotOf].map(([uid, slot]) => ({ uid, slot, name: `Player ${uid}`, role: "player", ready: true, connected: true })),
    participants,
    settings: { max_players: 4 },
    end_reason: "ended",
    result: { winner: uids[0] ?? null },
    started_at: startedAt,
    ended_at: endedAt,
    public: spec.public ?? false,
    checksums: [{ frame: startFrame + 1, hash: "9f2c01aa" }],
    last_frame: startFrame + frameCount - 1,
  };
  const frames = matchFrames(startFrame, frameCount, slotOf.size, spec.payloadBytes ?? 0);
  const document = await encodeReplayDocument(header, runsOfFrames(frames));
  return { header, frames, summary: summaryOf(header, document), document };
}

/** The listing line of a replay, as a store returns it. */
export function summaryOf(header: ReplayHeader, document: Uint8Array): ReplaySummary {
  return {
    id: header.id,
    room_id: header.room_id,
    room_name: header.room_name,
    started_at: header.started_at,
    ended_at: header.ended_at,
    end_reason: header.end_reason,
    start_frame: header.start_frame,
    last_frame: header.last_frame,
    frame_rate: header.frame_rate,
    players: header.participants.map(({ uid, name }) => ({ uid, name })),
    public: header.public,
    size_bytes: document.byteLength,
  };
}

/** An open store, the connection it runs on (to look at the tables themselves), and how to release them. */
export interface OpenedReplayStore {
  readonly store: ReplayStore;
  readonly sql: SqlClient;
  close(): Promise<void>;
}

const ids = (page: readonly ReplaySummary[]): string[] => page.map((summary) => summary.id);

/**
 * The contract every SQL {@link ReplayStore} backend must meet. Each backend's test file calls
 * this with a factory; the suite is identical for the embedded database and PostgreSQL. Tests
 * share one store, so each keeps to its own rooms and players, or its own year for listings of
 * every room (deleting by age uses the years before 2000, which nothing else uses).
 */
export function replayStoreContract(name: string, open: () => Promise<OpenedReplayStore>, options: { skip?: string } = {}): void {
  let opened: OpenedReplayStore | undefined;
  let store: ReplayStore;
  const skip = options.skip;
  before(async () => {
    if (skip !== undefined) return;
    opened = await open();
    store = opened.store;
  });
  after(async () => {
    await opened?.close();
  });

  /** The uids stored for a replay in the players table, sorted. */
  const playerRows = async (id: string): Promise<string[]> => {
    const { rows } = await opened!.sql.query<{ uid: string }>("SELECT uid FROM lockstep_replay_players WHERE replay_id = $1 ORDER BY uid", [id]);
    return rows.map((row) => row.uid);
  };

  test(`${name}: a saved replay reads back with its summary and the exact document bytes, which still read as the same match`, { skip }, async () => {
    const fixture = await replayFixture({ roomName: "roundtrip", players: ["rt-ada", "rt-bob"], public: true });
    await store.save(fixture);
    const stored = await store.get(fixture.summary.id);
    assert.deepEqual(stored, { summary: fixture.summary, document: fixture.document });
    assert.equal(stored!.document.constructor, Uint8Array, "a plain Uint8Array, whatever the driver returns");
    assert.equal(stored!.document.byteLength, stored!.document.buffer.byteLength, "the bytes in a buffer of their own");
    const read = await readReplayDocument(stored!.document);
    const { frames, ...header } = read;
    assert.deepEqual(header, fixture.header);
    assert.deepEqual(frames, fixture.frames);
    assert.deepEqual(await store.list({ limit: 10, roomName: "roundtrip" }), [fixture.summary]);
    assert.deepEqual(await playerRows(fixture.summary.id), ["rt-ada", "rt-bob"]);
    assert.equal(await store.get(randomUUID()), undefined);
    assert.equal(await store.get(""), undefined);
  });

  test(`${name}: saving an id already stored changes nothing, even with other bytes and players`, { skip }, async () => {
    const first = await replayFixture({ roomName: "retried", players: ["re-ada"] });
    await store.save(first);
    await store.save(first);
    const other = await replayFixture({ id: first.summary.id, roomName: "retried-other", players: ["re-zed"], frameCount: 9, public: true });
    assert.notDeepEqual(other.document, first.document);
    await store.save(other);
    assert.deepEqual(await store.get(first.summary.id), { summary: first.summary, document: first.document });
    assert.deepEqual(await store.list({ limit: 10, roomName: "retried" }), [first.summary]);
    assert.deepEqual(await store.list({ limit: 10, roomName: "retried-other" }), []);
    assert.deepEqual(await store.list({ limit: 10, player: "re-zed" }), []);
    assert.deepEqual(await playerRows(first.summary.id), ["re-ada"]);
  });

  test(`${name}: a player who left and came back is listed twice in the summary, and played in the match once`, { skip }, async () => {
    const fixture = await replayFixture({ roomName: "rejoined", players: ["rj-ada", "rj-bob", "rj-ada"] });
    await store.save(fixture);
    assert.deepEqual(
      (await store.get(fixture.summary.id))?.summary.players.map((player) => player.uid),
      ["rj-ada", "rj-bob", "rj-ada"],
    );
    assert.deepEqual(await playerRows(fixture.summary.id), ["rj-ada", "rj-bob"]);
    assert.deepEqual(await store.list({ limit: 10, player: "rj-ada" }), [fixture.summary]);
  });

  test(`${name}: lists newest ended_at first, ties by id descending, and pages back with before and beforeId`, { skip }, async () => {
    const room = "paged";
    const specs = [
      { id: "p-0", roomName: room, endedAt: isoAt(2001, 0) },
      { id: "p-1", roomName: room, endedAt: isoAt(2001, 10) },
      { id: "p-2a", roomName: room, endedAt: isoAt(2001, 20) },
      { id: "p-2b", roomName: room, endedAt: isoAt(2001, 20) },
      { id: "p-3", roomName: room, endedAt: isoAt(2001, 30) },
    ];
    const replays = await Promise.all(specs.map((spec) => replayFixture(spec)));
    // Saved out of order: the order comes from ended_at, not from arrival.
    for (const index of [2, 0, 4, 1, 3]) await store.save(replays[index]!);
    assert.deepEqual(ids(await store.list({ limit: 10, roomName: room })), ["p-3", "p-2b", "p-2a", "p-1", "p-0"]);
    const first = await store.list({ limit: 2, roomName: room });
    assert.deepEqual(first, [replays[4]!.summary, replays[3]!.summary]);
    // The page ends inside a millisecond (p-2b, p-2a): the next one starts with the rest of it.
    const next = (page: ReplaySummary[]) => ({ before: page.at(-1)!.ended_at, beforeId: page.at(-1)!.id });
    const second = await store.list({ limit: 2, roomName: room, ...next(first) });
    assert.deepEqual(ids(second), ["p-2a", "p-1"]);
    const third = await store.list({ limit: 2, roomName: room, ...next(second) });
    assert.deepEqual(ids(third), ["p-0"]);
    assert.deepEqual(await store.list({ limit: 2, roomName: room, ...next(third) }), []);
    // Pages of one: every replay once, in order.
    const paged: string[] = [];
    for (let page = await store.list({ limit: 1, roomName: room }); page.length > 0; page = await store.list({ limit: 1, roomName: room, ...next(page) })) {
      paged.push(...ids(page));
    }
    assert.deepEqual(paged, ["p-3", "p-2b", "p-2a", "p-1", "p-0"]);
    // A plain time (no id): strictly older, ties at that time included in neither direction.
    assert.deepEqual(ids(await store.list({ limit: 10, roomName: room, before: isoAt(2001, 20) })), ["p-1", "p-0"]);
    assert.deepEqual(ids(await store.list({ limit: 2, roomName: room, before: isoAt(2001, 10) })), ["p-0"]);
    assert.deepEqual(await store.list({ limit: 2, roomName: room, before: isoAt(2001, 0) }), []);
    // Every room, within this test's year.
    assert.deepEqual(ids(await store.list({ limit: 3, before: isoAt(2002, 0) })), ["p-3", "p-2b", "p-2a"]);
    // Times in another zone mean the same instant.
    assert.deepEqual(ids(await store.list({ limit: 10, roomName: room, before: "2001-01-01T02:00:20+02:00" })), ["p-1", "p-0"]);
  });

  test(`${name}: summary gives a replay's summary (public flag and players included) without its document, and undefined for an unknown id`, {
    skip,
  }, async () => {
    const shown = await replayFixture({ roomName: "summarised", players: ["s-ada", "s-bob", "s-ada"], public: true });
    const hidden = await replayFixture({ roomName: "summarised", players: ["s-cy"] });
    await store.save(shown);
    await store.save(hidden);
    assert.deepEqual(await store.summary(shown.summary.id), shown.summary);
    assert.deepEqual(await store.summary(hidden.summary.id), hidden.summary);
    assert.equal((await store.summary(hidden.summary.id))?.public, false);
    assert.deepEqual(
      (await store.summary(shown.summary.id))?.players.map((player) => player.uid),
      ["s-ada", "s-bob", "s-ada"],
    );
    assert.equal(await store.summary(randomUUID()), undefined);
    assert.equal(await store.summary(""), undefined);
    // It reads no chunk: a replay whose document is gone still has its summary (while get refuses it).
    await opened!.sql.query("DELETE FROM lockstep_replay_chunks WHERE replay_id = $1", [hidden.summary.id]);
    assert.deepEqual(await store.summary(hidden.summary.id), hidden.summary);
    await assert.rejects(store.get(hidden.summary.id), /damaged/);
    assert.equal(await store.delete(hidden.summary.id), true);
    assert.equal(await store.summary(hidden.summary.id), undefined, "gone with its replay");
  });

  test(`${name}: filters by room, player and since, and shows a uid only what it may see`, { skip }, async () => {
    const year = 2002;
    const at = (seconds: number): string => isoAt(year, seconds);
    const fixtures = await Promise.all([
      replayFixture({ id: "f-ada-bob", roomName: "f-arena", endedAt: at(10), players: ["f-ada", "f-bob"] }),
      replayFixture({ id: "f-ada", roomName: "f-duel", endedAt: at(20), players: ["f-ada"] }),
      replayFixture({ id: "f-bob-public", roomName: "f-arena", endedAt: at(30), players: ["f-bob"], public: true }),
      replayFixture({ id: "f-bob", roomName: "f-duel", endedAt: at(40), players: ["f-bob"] }),
    ]);
    for (const fixture of fixtures) await store.save(fixture);
    const inYear = { limit: 100, since: at(0), before: isoAt(year + 1, 0) };

    assert.deepEqual(ids(await store.list(inYear)), ["f-bob", "f-bob-public", "f-ada", "f-ada-bob"], "no visibleTo: every replay");
    assert.deepEqual(await store.list({ ...inYear, roomName: "f-duel" }), [fixtures[3]!.summary, fixtures[1]!.summary]);
    assert.deepEqual(await store.list({ ...inYear, roomName: "f-none" }), []);
    assert.deepEqual(ids(await store.list({ ...inYear, player: "f-bob" })), ["f-bob", "f-bob-public", "f-ada-bob"]);
    assert.deepEqual(ids(await store.list({ ...inYear, player: "f-ada", roomName: "f-arena" })), ["f-ada-bob"]);
    assert.deepEqual(await store.list({ ...inYear, player: "f-nobody" }), []);
    assert.deepEqual(ids(await store.list({ ...inYear, since: at(20) })), ["f-bob", "f-bob-public", "f-ada"], "since keeps what ended at that time");
    assert.deepEqual(ids(await store.list({ ...inYear, since: at(21) })), ["f-bob", "f-bob-public"]);

    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-ada" })), ["f-ada", "f-ada-bob"]);
    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-ada", includePublic: true })), ["f-bob-public", "f-ada", "f-ada-bob"]);
    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-bob", includePublic: true })), ["f-bob", "f-bob-public", "f-ada-bob"]);
    assert.deepEqual(await store.list({ ...inYear, visibleTo: "f-cy" }), []);
    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-cy", includePublic: true })), ["f-bob-public"]);
    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-ada", includePublic: true, roomName: "f-arena" })), ["f-bob-public", "f-ada-bob"]);
    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-ada", player: "f-ada", includePublic: true })), ["f-ada", "f-ada-bob"]);
    assert.deepEqual(ids(await store.list({ ...inYear, visibleTo: "f-ada", includePublic: true, limit: 2 })), ["f-bob-public", "f-ada"]);
    const cursor = { before: fixtures[1]!.summary.ended_at, beforeId: fixtures[1]!.summary.id };
    assert.deepEqual(ids(await store.list({ ...inYear, ...cursor, visibleTo: "f-ada", includePublic: true })), ["f-ada-bob"], "a cursor with the filters");
  });

  test(`${name}: clamps the limit to 1..100`, { skip }, async () => {
    const room = "clamped";
    const fixtures = await Promise.all(
      Array.from({ length: 101 }, (_, index) => replayFixture({ roomName: room, endedAt: isoAt(2003, index), frameCount: 1 })),
    );
    await Promise.all(fixtures.map((fixture) => store.save(fixture)));
    assert.equal((await store.list({ limit: 1000, roomName: room })).length, 100);
    assert.equal((await store.list({ limit: 100, roomName: room })).length, 100);
    assert.equal((await store.list({ limit: 0, roomName: room })).length, 1);
    assert.equal((await store.list({ limit: -5, roomName: room })).length, 1);
    assert.equal((await store.list({ limit: Number.NaN, roomName: room })).length, 1);
    assert.equal((await store.list({ limit: 2.7, roomName: room })).length, 2);
  });

  test(`${name}: delete removes one replay with its player rows, and says whether there was one`, { skip }, async () => {
    const kept = await replayFixture({ roomName: "deleted", players: ["d-ada", "d-bob"], endedAt: isoAt(2004, 1) });
    const gone = await replayFixture({ roomName: "deleted", players: ["d-ada", "d-bob"], endedAt: isoAt(2004, 2) });
    await store.save(kept);
    await store.save(gone);
    assert.equal(await store.delete(gone.summary.id), true);
    assert.equal(await store.get(gone.summary.id), undefined);
    assert.deepEqual(await playerRows(gone.summary.id), [], "the player rows went with their replay");
    assert.deepEqual(await store.list({ limit: 10, roomName: "deleted" }), [kept.summary]);
    assert.deepEqual(await store.list({ limit: 10, player: "d-ada" }), [kept.summary]);
    assert.deepEqual(await playerRows(kept.summary.id), ["d-ada", "d-bob"]);
    assert.equal(await store.delete(gone.summary.id), false);
    assert.equal(await store.delete(randomUUID()), false);
    // Deleted for good: the same id may be stored again.
    await store.save(gone);
    assert.deepEqual(await store.get(gone.summary.id), { summary: gone.summary, document: gone.document });
  });

  test(`${name}: deleteEndedBefore deletes what ended strictly before the time, with its player rows, and counts it`, { skip }, async () => {
    const old = await Promise.all([
      replayFixture({ roomName: "aged", endedAt: isoAt(1990, 5), players: ["a-ada"] }),
      replayFixture({ roomName: "aged", endedAt: isoAt(1990, 6), players: ["a-ada", "a-bob"] }),
    ]);
    const boundary = await replayFixture({ roomName: "aged", endedAt: isoAt(1991, 0), players: ["a-ada"] });
    for (const fixture of [...old, boundary]) await store.save(fixture);
    assert.equal(await store.deleteEndedBefore(new Date(isoAt(1991, 0))), 2);
    for (const fixture of old) {
      assert.equal(await store.get(fixture.summary.id), undefined);
      assert.deepEqual(await playerRows(fixture.summary.id), []);
    }
    assert.deepEqual(await store.list({ limit: 10, roomName: "aged" }), [boundary.summary], "a match that ended at the time itself is kept");
    assert.equal(await store.deleteEndedBefore(new Date(isoAt(1991, 0))), 0);
    assert.deepEqual(await store.list({ limit: 10, player: "a-ada" }), [boundary.summary]);
  });

  test(`${name}: a document of about 2 MB round-trips byte for byte`, { skip }, async () => {
    // Random payloads do not compress: 500 frames × 2 players × 2 KiB ≈ 2 MB of document.
    const large = await replayFixture({ roomName: "large", frameCount: 500, payloadBytes: 2048 });
    assert.ok(large.document.byteLength > 2_000_000, `${large.document.byteLength} bytes`);
    await store.save(large);
    const stored = await store.get(large.summary.id);
    assert.equal(stored?.summary.size_bytes, large.document.byteLength);
    assert.ok(stored !== undefined && Buffer.from(stored.document).equals(Buffer.from(large.document)));
    assert.deepEqual((await readReplayDocument(stored.document)).frames, large.frames);
  });

  test(`${name}: two writers of one replay at once store it once; chunks that no longer make the document are an error, never wrong bytes`, {
    skip,
  }, async () => {
    const large = await replayFixture({ roomName: "racing", frameCount: 200, payloadBytes: 2048 });
    await Promise.all([store.save(large), store.save(large)]);
    assert.deepEqual((await store.get(large.summary.id))?.document, large.document);
    assert.equal((await store.list({ limit: 10, roomName: "racing" })).length, 1);
    await opened!.sql.query("DELETE FROM lockstep_replay_chunks WHERE replay_id = $1 AND seq = 1", [large.summary.id]);
    await assert.rejects(store.get(large.summary.id), /damaged/);
    assert.equal(await store.delete(large.summary.id), true);
    const { rows } = await opened!.sql.query("SELECT 1 FROM lockstep_replay_chunks WHERE replay_id = $1", [large.summary.id]);
    assert.equal(rows.length, 0, "its chunks went with it");
  });

  test(`${name}: chunks a failed write left behind are swept once a day old; a stored replay's are kept`, { skip }, async () => {
    const kept = await replayFixture({ roomName: "swept" });
    await store.save(kept);
    await opened!.sql.query(
      "INSERT INTO lockstep_replay_chunks (replay_id, document_sha, seq, bytes, created_at) VALUES ($1, 'abc', 0, '\\x00', now() - interval '2 days'), ($1, 'abc', 1, '\\x00', now())",
      ["half-written"],
    );
    await opened!.sql.query("UPDATE lockstep_replay_chunks SET created_at = now() - interval '2 days' WHERE replay_id = $1", [kept.summary.id]);
    await store.deleteEndedBefore(new Date(isoAt(1990, 0)));
    const { rows } = await opened!.sql.query<{ seq: number }>("SELECT seq FROM lockstep_replay_chunks WHERE replay_id = 'half-written'");
    assert.deepEqual(
      rows.map((row) => Number(row.seq)),
      [1],
      "only the day-old orphan goes",
    );
    assert.deepEqual((await store.get(kept.summary.id))?.document, kept.document);
  });

  test(`${name}: refuses times that are not times and a size that is not the document's, storing nothing`, { skip }, async () => {
    await assert.rejects(store.list({ limit: 10, before: "yesterday" }), RangeError);
    await assert.rejects(store.list({ limit: 10, since: "2024-02-30T99:00:00Z" }), RangeError);
    await assert.rejects(store.deleteEndedBefore(new Date(Number.NaN)), RangeError);
    const fixture = await replayFixture({ roomName: "refused", players: ["r-ada"] });
    const badTimes = [
      { ...fixture.summary, ended_at: "soon" },
      { ...fixture.summary, started_at: "" },
    ];
    for (const summary of badTimes) await assert.rejects(store.save({ summary, document: fixture.document }), RangeError);
    await assert.rejects(store.save({ summary: { ...fixture.summary, size_bytes: 1 }, document: fixture.document }), RangeError);
    assert.equal(await store.get(fixture.summary.id), undefined);
    assert.deepEqual(await playerRows(fixture.summary.id), []);
  });
}
