import assert from "node:assert/strict";
import { test } from "node:test";
import type { DesyncNotice } from "../../../src/lockstep/desync-report.ts";
import { DumpCollector } from "../../../src/lockstep/dump-collector.ts";
import { StateDumpFormat, decodeStateDumpChunk, stateDumpMessages } from "../../../src/protocol/checksum-codec.ts";
import { LockstepErrorCode } from "../../../src/protocol/messages.ts";

const notice: DesyncNotice = {
  id: "r1",
  room_id: "room",
  room_name: "game",
  frame: 30,
  last_good_frame: 20,
  groups: [
    { uids: ["a", "b"], slots: [0, 1], hash: "aa" },
    { uids: ["c"], slots: [2], hash: "bb" },
  ],
  reference: 0,
  outliers: ["c"],
  parts: [],
  seed: 1,
  settings: { frame_rate: 30, start_frame: 0, checksum_interval: 10, max_players: 3 },
  reproduce: { from_frame: 0, to_frame: 30 },
  created_at: new Date(0).toISOString(),
};

function upload(collector: DumpCollector, slot: number, json: string) {
  const verdicts = stateDumpMessages(30, StateDumpFormat.JSON, new TextEncoder().encode(json)).map((bytes) =>
    collector.receive(slot, decodeStateDumpChunk(bytes)),
  );
  return verdicts.at(-1)!;
}

test("a report with a dump from each group diffs them", () => {
  const collector = new DumpCollector(64 * 1024, 300);
  collector.start(
    notice,
    [
      { slot: 0, uid: "a", group: 0 },
      { slot: 2, uid: "c", group: 1 },
    ],
    30,
  );
  assert.deepEqual(upload(collector, 2, '{"coins":9,"x":1}'), { accepted: true });
  assert.equal(collector.advance(31), undefined, "still waiting for group 0");
  assert.deepEqual(upload(collector, 0, '{"coins":3,"x":1}'), { accepted: true });
  const report = collector.advance(32)!;
  assert.equal(report.dump_status, "complete");
  assert.deepEqual(
    report.dumps.map((dump) => dump.uid),
    ["a", "c"],
  );
  assert.deepEqual(report.diff, [{ path: "coins", values: [3, 9] }]);
  assert.equal(collector.busy, false);
});

test("a dump nested deeper than 32 levels is refused before anything walks it, and the report goes on without it", () => {
  const collector = new DumpCollector(64 * 1024, 300);
  collector.start(notice, [{ slot: 2, uid: "c", group: 1 }], 30);
  const depth = 30_000;
  const verdict = upload(collector, 2, "[".repeat(depth) + "]".repeat(depth));
  assert.equal(verdict.accepted, false);
  assert.equal((verdict as { code: string }).code, LockstepErrorCode.DUMP_INVALID);
  assert.match((verdict as { message: string }).message, /deeper than 32/);
  const report = collector.advance(31)!;
  assert.equal(report.dump_status, "none");
  // 32 levels are fine.
  const shallow = new DumpCollector(64 * 1024, 300);
  shallow.start(notice, [{ slot: 2, uid: "c", group: 1 }], 30);
  assert.deepEqual(upload(shallow, 2, "[".repeat(32) + "]".repeat(32)), { accepted: true });
});

test("the wait is bounded: without answers the report is finished at the deadline", () => {
  const collector = new DumpCollector(64 * 1024, 300);
  collector.start(notice, [{ slot: 0, uid: "a", group: 0 }], 30);
  assert.equal(collector.advance(329), undefined);
  assert.equal(collector.advance(330)!.dump_status, "none");
});
