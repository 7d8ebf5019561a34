import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepClient } from "../../client-sdk/src/index.ts";
import { LockstepMetrics } from "../../src/lockstep/metrics.ts";
import { createLockstepServer, type LockstepServer } from "../../src/server/create-server.ts";
import { DesyncRoom, EndingDesyncRoom, PairDesyncRoom, playToy, type ToyPlayer } from "../support/desync-game.ts";
import { cutConnection } from "../support/drop.ts";
import { eventually } from "../support/eventually.ts";
import { serverRoom } from "../support/server.ts";

let server: LockstepServer;
const metrics = new LockstepMetrics();
before(async () => {
  server = await createLockstepServer({
    rooms: { desync: DesyncRoom, pair: PairDesyncRoom, ending: EndingDesyncRoom },
    port: 0,
    host: "127.0.0.1",
    services: { metrics },
  });
});
after(async () => {
  await server.close();
});

const clients = (count: number): LockstepClient[] => Array.from({ length: count }, () => new LockstepClient(server.url));
const uidOf = (player: ToyPlayer): string => player.match.you!.uid;
const leaveAll = (players: readonly ToyPlayer[]): Promise<unknown> => Promise.all(players.map((player) => player.quit()));

test("three players, one diverging in one part: the desync names the frame, that player and that part, once", async () => {
  const cheatFrom = 25;
  const players = await playToy(clients(3), "desync", 2, cheatFrom);
  const room = serverRoom<DesyncRoom>(players[0]!.match.roomId);
  const notice = await room.notices.wait();

  // Checked frames are multiples of 10: the first one after the divergence is 30, within one interval.
  assert.equal(notice.frame, 30);
  assert.equal(notice.last_good_frame, 20);
  assert.deepEqual(notice.outliers, [uidOf(players[2]!)]);
  assert.deepEqual(notice.parts, ["coins"]);
  assert.equal(notice.reference, 0);
  assert.deepEqual(notice.groups[0]!.uids, [uidOf(players[0]!), uidOf(players[1]!)]);
  assert.deepEqual(Object.keys(notice.groups[0]!.parts!).sort(), ["coins", "players", "rng"]);
  assert.equal(notice.groups[0]!.parts!.players, notice.groups[1]!.parts!.players);
  assert.notEqual(notice.groups[0]!.parts!.coins, notice.groups[1]!.parts!.coins);
  assert.equal(notice.seed, room.match!.seed);
  assert.deepEqual(notice.reproduce, { from_frame: 0, to_frame: 30 });
  assert.equal(notice.settings.checksum_interval, 10);

  // Every client hears of it, with the same report id.
  for (const player of players) assert.equal((await player.notices.wait()).id, notice.id);

  // The report: one dump from each group, differing at the coins and nowhere else.
  const report = await room.reports.wait();
  assert.equal(report.id, notice.id);
  assert.equal(report.dump_status, "complete");
  assert.deepEqual(
    report.dumps.map((dump) => dump.uid),
    [uidOf(players[0]!), uidOf(players[2]!)],
  );
  assert.deepEqual(
    report.diff.map((entry) => entry.path),
    ["coins"],
  );
  const [reference, outlier] = report.diff[0]!.values as number[];
  assert.ok(outlier! > reference!, "the outlier's coins carry the random bonus");

  // The cheater stays wrong at every later check: still one notice.
  const received = room.inspect().checksums!.checksums_received;
  await eventually(() => assert.ok(room.inspect().checksums!.checksums_received >= received + 3 * 6));
  assert.equal(room.notices.items.length, 1);
  assert.equal(room.inspect().checksums!.desyncs, 1);
  assert.ok(metrics.desyncs >= 1);
  assert.equal(room.phase, "running");
  await leaveAll(players);
});

test("two players who disagree: both groups are named, no false majority", async () => {
  const players = await playToy(clients(2), "pair", 1, 5);
  const room = serverRoom<PairDesyncRoom>(players[0]!.match.roomId);
  const notice = await room.notices.wait();
  assert.equal(notice.frame, 10);
  assert.equal(notice.reference, null);
  assert.equal(notice.groups.length, 2);
  assert.deepEqual([...notice.outliers].sort(), players.map(uidOf).sort());
  assert.deepEqual(notice.parts, ["coins"]);
  await leaveAll(players);
});

test("a player who disconnects neither stalls the match nor raises a desync", async () => {
  const players = await playToy(clients(3), "desync");
  const room = serverRoom<DesyncRoom>(players[0]!.match.roomId);
  await eventually(() => assert.ok((room.inspect().checksums!.last_agreed_frame ?? -1) >= 20));
  cutConnection(players[2]!.match);
  const cutAt = room.lastFrame;
  // Checks keep agreeing between the two who remain, well past the wait for the third.
  await eventually(() => assert.ok((room.inspect().checksums!.last_agreed_frame ?? -1) >= cutAt + 180));
  assert.equal(room.notices.items.length, 0);
  assert.equal(room.phase, "running");
  await leaveAll(players);
});

test("with desyncPolicy end-match, the match ends with reason desync once the report is finished", async () => {
  const players = await playToy(clients(3), "ending", 0, 12);
  const room = serverRoom<EndingDesyncRoom>(players[0]!.match.roomId);
  const ended = new Promise<unknown>((resolve) => players[1]!.match.onEnd(resolve));
  const notice = await room.notices.wait();
  const report = await room.reports.wait();
  assert.equal(report.id, notice.id);
  const end = (await ended) as { reason: string; result: { desync_report: string } };
  assert.equal(end.reason, "desync");
  assert.equal(end.result.desync_report, notice.id);
  assert.deepEqual(notice.outliers, [uidOf(players[0]!)]);
  await leaveAll(players);
});
