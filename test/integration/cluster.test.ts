import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient, type LockstepFrame, type LockstepMatch, type MatchEnd } from "../../client-sdk/src/index.ts";
import type { ArenaAction } from "../../demo/arena-room.ts";
import type { ClusterNode } from "../support/cluster.ts";
import { TestCluster, consecutiveFromZero, play, type Pair } from "../support/cluster-match.ts";
import { readReplayDocument } from "../../src/protocol/index.ts";
import { eventually } from "../support/eventually.ts";
import { addHistograms, assertValidHistogram, histogramOf, parseExposition, total } from "../support/prometheus.ts";
import { call } from "../support/http.ts";
import { readJournal } from "../support/match-history.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { TEST_REDIS_URL, flushTestRedis, redisUnavailable } from "../support/redis.ts";

const skip = (await redisUnavailable()) ?? (await postgresUnavailable());
/** How long a check across processes may take to come true: a process that just started compiles its code on first use, and listings refresh once a second. */
const SLOW_PROCESS_MS = 30_000;
let cluster: TestCluster;
let nodes: ClusterNode[] = [];
let adminToken: string;

before(async () => {
  if (skip !== undefined) return;
  await flushTestRedis();
  cluster = await TestCluster.start([TEST_REDIS_URL, TEST_REDIS_URL], { MAX_MATCHES_PER_ACCOUNT: "2" });
  nodes = cluster.nodes;
  adminToken = cluster.adminToken;
});

after(async () => {
  if (skip === undefined) await cluster.stop();
});

const player = (first: ClusterNode, name: string): Promise<LockstepClient> => cluster.player(first, name);
const pairAcross = (): Promise<Pair> => cluster.pair();

const numbers = (frames: readonly LockstepFrame<unknown>[]): number[] => frames.map((frame) => frame.frame);

/** The process that runs a room, asked through the admin routes of `via` (default: any process that is up). */
async function ownerOf(roomId: string, via: ClusterNode = nodes.find((node) => node.running)!): Promise<ClusterNode> {
  const rooms = (await call(via.url, "/admin/rooms", { token: adminToken })).body.rooms as { roomId: string; publicAddress: string }[];
  const listing = rooms.find((room) => room.roomId === roomId);
  assert.ok(listing !== undefined, `room ${roomId} is listed`);
  return nodes.find((node) => listing.publicAddress === `127.0.0.1:${node.port}`)!;
}

test("players matched through different processes share one room and identical frames; rooms spread over both processes", { skip }, async () => {
  const { a, b, ra, rb } = await pairAcross();
  await Promise.all([play(a, ra, 5), play(b, rb, 5)]);
  const end = Math.min(ra.frames.at(-1)!.frame, rb.frames.at(-1)!.frame);
  assert.deepEqual(JSON.stringify(ra.frames.slice(0, end + 1)), JSON.stringify(rb.frames.slice(0, end + 1)));
  assert.ok(consecutiveFromZero(ra.frames));

  const extra = await Promise.all([0, 1, 0, 1].map(async (index, i) => (await player(nodes[index]!, `solo-${i}`)).create<ArenaAction>("arena")));
  const listed = (await call(nodes[1]!.url, "/admin/rooms", { token: adminToken })).body.rooms as { processId: string }[];
  assert.equal(new Set(listed.map((room) => room.processId)).size, 2, "rooms live on both processes");
  const owner = await ownerOf(a.roomId);
  const metrics = await fetch(`${owner.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(metrics.status, 200);
  const text = await metrics.text();
  assert.ok(Number(/^lockstep_frames_closed_total (\d+)$/m.exec(text)?.[1]) >= end, "the owner counted the frames it closed");
  assert.match(text, /^lockstep_tick_lateness_seconds_bucket\{le="0.001"\} \d+$/m);
  assert.equal((await fetch(`${owner.url}/metrics`)).status, 401, "metrics are for operators");
  await Promise.all([a, b, ...extra].map((match) => match.leave()));
});

/**
 * Waiting rooms, created one at a time until they and the match `matchRoomId` are on both
 * processes. Colyseus puts a new room on the process with the fewest rooms as the processes last
 * published their counts (at most once a second), so rooms created at once can all land on one
 * process: before the next one, the counts must include every room so far.
 */
async function waitingRoomsOnBoth(matchRoomId: string, name: string): Promise<LockstepMatch<ArenaAction>[]> {
  const rooms: LockstepMatch<ArenaAction>[] = [];
  const owners = new Set([await ownerOf(matchRoomId)]);
  while (owners.size < 2) {
    assert.ok(rooms.length < 8, `${rooms.length} rooms in a row were placed on one process`);
    const via = nodes[rooms.length % 2]!;
    const room = await (await player(via, `${name}-${rooms.length}`)).create<ArenaAction>("arena");
    rooms.push(room);
    owners.add(await ownerOf(room.roomId));
    await eventually(async () => {
      const seen = await cluster.adminRooms(nodes[rooms.length % 2]!);
      for (const process of seen.processes) {
        const listed = seen.rooms.filter((listing) => listing.processId === process.processId).length;
        assert.ok(process.roomCount >= listed, `process ${process.processId} published ${process.roomCount} rooms of ${listed}`);
      }
    }, SLOW_PROCESS_MS);
  }
  return rooms;
}

test("the monitor's grid, asked of either process, shows the rooms of both with their own values", { skip }, async () => {
  const { a, b, ra, rb } = await pairAcross();
  await Promise.all([play(a, ra, 2), play(b, rb, 2)]);
  const waiting = await waitingRoomsOnBoth(a.roomId, "Solo");
  const ours = new Set([a.roomId, ...waiting.map((room) => room.roomId)]);
  try {
    const processIds = new Map<string, string>();
    for (const node of nodes) processIds.set(`127.0.0.1:${node.port}`, (await call(node.url, "/admin/rooms", { token: adminToken })).body.processId as string);
    type Row = { roomId: string; processId: string; publicAddress: string; metadata: Record<string, unknown> };
    const rowsVia = async (via: ClusterNode): Promise<Row[]> => {
      const answer = await call(via.url, "/monitor/api", { token: adminToken });
      assert.equal(answer.status, 200);
      return (answer.body.rooms as Row[]).filter((room) => ours.has(room.roomId));
    };
    for (const via of nodes) {
      const first = await eventually(async () => {
        const rows = await rowsVia(via);
        assert.equal(rows.length, ours.size);
        for (const row of rows) assert.equal(row.processId, processIds.get(row.publicAddress), `room ${row.roomId} is listed with the process that runs it`);
        assert.equal(new Set(rows.map((row) => row.processId)).size, 2, "rooms of both processes");
        const running = rows.find((row) => row.roomId === a.roomId)!;
        assert.deepEqual([running.metadata.phase, running.metadata.seated, running.metadata.connected], ["running", 2, 2]);
        for (const row of rows.filter((candidate) => candidate !== running)) {
          assert.deepEqual([row.metadata.phase, row.metadata.seated, row.metadata.frame], ["waiting", 1, -1]);
        }
        return Number(running.metadata.frame);
      }, SLOW_PROCESS_MS);
      // Written by the owner at most once a second: behind the live frame, and advancing.
      await eventually(async () => {
        const frame = Number((await rowsVia(via)).find((row) => row.roomId === a.roomId)?.metadata.frame);
        assert.ok(frame > first && frame <= Math.max(ra.frames.at(-1)!.frame, rb.frames.at(-1)!.frame) + 1, `frame ${frame} after ${first}`);
      }, SLOW_PROCESS_MS);
    }
  } finally {
    // Also after a failure: a match left running would be counted by the next test.
    await Promise.all([a.leave(), b.leave(), ...waiting.map((room) => room.leave())]);
  }
});

test("/metrics of both processes: valid exposition, cumulative histograms, gauges that match the rooms and players, buckets that add up across processes", {
  skip,
}, async () => {
  const { a, b, ra, rb } = await pairAcross();
  await Promise.all([play(a, ra, 3), play(b, rb, 3)]);
  const waiting = await Promise.all(nodes.map(async (node, index) => (await player(node, `Idle-${index}`)).create<ArenaAction>("arena")));
  type Listing = { roomId: string; processId: string; clients: number };
  const scrape = async (node: ClusterNode) => {
    const response = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  const expositions = await eventually(async () => {
    const listed = (await call(nodes[0]!.url, "/admin/rooms", { token: adminToken })).body.rooms as Listing[];
    const scraped = await Promise.all(nodes.map(scrape));
    for (const [index, node] of nodes.entries()) {
      const processId = (await call(node.url, "/admin/rooms", { token: adminToken })).body.processId as string;
      const here = listed.filter((room) => room.processId === processId);
      const exposition = scraped[index]!;
      assert.equal(total(exposition, "lockstep_rooms"), here.length, `rooms of process ${index}`);
      assert.equal(
        total(exposition, "lockstep_players_connected") + total(exposition, "lockstep_players_dropped"),
        here.reduce((sum, room) => sum + room.clients, 0),
        `players of process ${index}`,
      );
    }
    const running = scraped.map((exposition) => total(exposition, "lockstep_rooms", { room: "arena", phase: "running" }));
    assert.equal(running[0]! + running[1]!, listed.filter((room) => room.roomId === a.roomId).length, "the running match counts once, on its process");
    return scraped;
  }, SLOW_PROCESS_MS);
  const histograms = ["lockstep_tick_lateness_seconds", "lockstep_frame_fanout_seconds", "lockstep_input_delay_seconds", "lockstep_event_loop_delay_seconds"];
  for (const name of histograms) {
    const [first, second] = expositions.map((exposition) => histogramOf(exposition, name));
    assertValidHistogram(first!, `${name} of process 0`);
    assertValidHistogram(second!, `${name} of process 1`);
    const cluster = addHistograms(first!, second!);
    assertValidHistogram(cluster, `${name} summed over the cluster`);
    assert.equal(cluster.count, first!.count + second!.count);
  }
  const ticks = expositions.map((exposition) => histogramOf(exposition, "lockstep_tick_lateness_seconds").count);
  assert.ok(
    ticks.some((count) => count > 0),
    "the process running the match recorded its ticks",
  );
  assert.ok(
    expositions.every((exposition) => exposition.types.get("nodejs_gc_duration_seconds") === "histogram"),
    "GC pauses, per process",
  );
  await Promise.all([a.leave(), b.leave(), ...waiting.map((room) => room.leave())]);
});

test("an account plays at most MAX_MATCHES_PER_ACCOUNT matches, counted over every process; leaving one frees it", { skip }, async () => {
  const session = await new LockstepClient(nodes[0]!.url).loginAnonymous({ name: "Many" });
  const through = (node: ClusterNode) => new LockstepClient(node.url, { token: session.token });
  const first = await through(nodes[0]!).create<ArenaAction>("arena");
  const second = await through(nodes[1]!).create<ArenaAction>("arena");
  // Each process answers matchmaking from the shared count, whichever process holds the seats.
  for (const node of nodes) {
    await assert.rejects(
      through(node).create("arena"),
      (error: { code?: number; message?: string }) => error.code === 429 && /already plays or is joining 2 matches/.test(error.message ?? ""),
    );
  }
  await first.leave();
  const third = await through(nodes[0]!).create<ArenaAction>("arena");
  await Promise.all([second.leave(), third.leave()]);
});

test("cross-process admin calls inspect, kick and end a match wherever it runs", { skip }, async () => {
  const { a, b } = await pairAcross();
  const owner = await ownerOf(a.roomId);
  const remote = nodes.find((node) => node !== owner)!;
  for (const node of nodes) {
    const inspected = await call(node.url, `/admin/rooms/${a.roomId}`, { token: adminToken });
    assert.equal(inspected.status, 200);
    assert.equal(inspected.body.phase, "running");
    assert.equal((inspected.body.players as unknown[]).length, 2);
  }
  const closed = new Promise<number>((resolve) => b.onClose(resolve));
  const kick = await call(remote.url, `/admin/rooms/${a.roomId}/kick`, { body: { uid: b.you!.uid }, token: adminToken });
  assert.equal(kick.status, 200);
  assert.equal(await closed, 4000);
  const ended = new Promise((resolve) => a.onEnd(resolve));
  assert.equal((await call(remote.url, `/admin/rooms/${a.roomId}/end`, { body: { result: { by: "ops" } }, token: adminToken })).status, 200);
  assert.deepEqual(((await ended) as { result: unknown }).result, { by: "ops" });
  assert.equal((await call(remote.url, "/admin/rooms/nope", { token: adminToken })).status, 404);
  const player = await new LockstepClient(nodes[0]!.url).loginAnonymous();
  assert.equal((await call(remote.url, "/admin/rooms", { token: player.token })).status, 403);
});

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`${signal} of the process running a match: it resumes on the other process, no frame lost or repeated`, { skip }, async () => {
    const { a, b, ra, rb } = await pairAcross();
    await Promise.all([play(a, ra, 3), play(b, rb, 3)]);
    const owner = await ownerOf(a.roomId);
    const survivor = nodes.find((node) => node !== owner)!;
    const beforeStop = Math.max(ra.frames.at(-1)!.frame, rb.frames.at(-1)!.frame);
    const back = Promise.all([
      new Promise((resolve) => a.onReconnect(() => resolve(undefined))),
      new Promise((resolve) => b.onReconnect(() => resolve(undefined))),
    ]);
    await owner.stop(signal);
    await back;
    // Asked through the survivor: the stopped process may be the first one.
    assert.equal(await ownerOf(a.roomId, survivor), survivor, "the match now runs on the other process");

    await Promise.all([play(a, ra, 3), play(b, rb, 3)]);
    const end = Math.min(ra.frames.at(-1)!.frame, rb.frames.at(-1)!.frame);
    for (const recorded of [ra, rb]) {
      assert.ok(consecutiveFromZero(recorded.frames), `delivered frames ${numbers(recorded.frames).join(",")}`);
      assert.ok(recorded.frames.at(-1)!.frame > beforeStop, "frame numbers continue after the move");
    }
    assert.equal(JSON.stringify(ra.frames.slice(0, end + 1)), JSON.stringify(rb.frames.slice(0, end + 1)), "both players saw the same match");
    // Lost frames would show as a gap in the numbering that no client could fill: there is none.
    console.log(`${signal}: frames lost 0 (last frame before the stop ${beforeStop}, match continued to ${end})`);

    // The match ends on the survivor: its one replay, written from the Redis journal, holds the frames both processes ran.
    const ends = Promise.all([new Promise<MatchEnd>((resolve) => a.onEnd(resolve)), new Promise<MatchEnd>((resolve) => b.onEnd(resolve))]);
    assert.equal((await call(survivor.url, `/admin/rooms/${a.roomId}/end`, { body: { result: { signal } }, token: adminToken })).status, 200);
    const [ended] = await ends;
    const replayPath = `/replays/${ended.replayId}`;
    const stored = await eventually(async () => {
      const response = await fetch(`${survivor.url}${replayPath}`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(response.status, 200, `${replayPath} is stored; the process that ended the match says:\n${survivor.output}`);
      return readReplayDocument(new Uint8Array(await response.arrayBuffer()));
    });
    assert.equal(stored.room_id, a.roomId);
    assert.deepEqual(stored.result, { signal });
    assert.equal(stored.frames.length, ended.lastFrame + 1, "one frame per number, from the first to the last: no gap, no duplicate");
    for (const recorded of [ra, rb]) {
      for (const { frame, hex } of recorded.wire)
        assert.equal(Buffer.from(stored.frames[frame]!).toString("hex"), hex, `frame ${frame} as received and as replayed`);
      assert.ok(recorded.wire.some(({ frame }) => frame < beforeStop) && recorded.wire.some(({ frame }) => frame > beforeStop), "frames from both processes");
    }
    // One replay row for the match, not one per process that ran it: every replay its player played in, asked as an admin.
    const listing = await call(survivor.url, `/replays?player=${encodeURIComponent(a.you!.uid)}&limit=100`, { token: adminToken });
    assert.equal(listing.status, 200);
    const ofMatch = (listing.body.replays as { id: string; room_id: string }[]).filter((replay) => replay.room_id === a.roomId);
    assert.deepEqual(
      ofMatch.map((replay) => replay.id),
      [ended.replayId],
      "exactly one replay of the match",
    );
    await eventually(async () =>
      assert.equal(await readJournal(TEST_REDIS_URL, a.roomId), undefined, "the Redis copy is gone once the database has the replay"),
    );
    await owner.start();
  });
}
