import assert from "node:assert/strict";
import { test } from "node:test";
import { BotStats } from "../../../bench/bot-stats.ts";
import { BENCH_STATE_HASH, ChecksumMessages, ROOM_DATA_BYTES, isChecksumFrame } from "../../../bench/checksum-bot.ts";
import { scanLockstepFrame } from "../../../bench/frame-scan.ts";
import {
  checksumCostMicros,
  checksumCosts,
  checksumProblems,
  checksumTotals,
  corePercentPer1000Players,
  mergeRuns,
  playersHeld,
  spreadOf,
} from "../../../bench/report.ts";
import type { RunResult, WindowResult } from "../../../bench/run-workload.ts";
import { WindowStats } from "../../../bench/servers/stats-route.ts";
import type { ServerStats } from "../../../bench/workload.ts";
import { encodeAction } from "../../../src/protocol/action-codec.ts";
import { ByteWriter } from "../../../src/protocol/byte-writer.ts";
import { decodeChecksum } from "../../../src/protocol/checksum-codec.ts";
import { encodeFrame } from "../../../src/protocol/frame-codec.ts";
import { BinaryMessage } from "../../../src/protocol/messages.ts";
import { Histogram } from "../../../src/lockstep/histogram.ts";

test("a bot sends a checksum after every frame that is a multiple of the interval, frame 0 included, and never with checksums off", () => {
  const checked = (interval: number) => Array.from({ length: 91 }, (_, frame) => frame).filter((frame) => isChecksumFrame(frame, interval));
  assert.deepEqual(checked(30), [0, 30, 60, 90]);
  assert.deepEqual(checked(0), []);
  assert.equal(checked(1).length, 91);
  assert.equal(isChecksumFrame(18_000, 30), true);
  assert.equal(isChecksumFrame(18_001, 30), false);
});

test("a checksum message is the Colyseus bytes envelope around the protocol's sync_checksum, built once per frame", () => {
  const messages = new ChecksumMessages();
  for (const frame of [0, 30, 18_000, 2_000_010]) {
    const message = messages.for(frame);
    assert.equal(message[0], ROOM_DATA_BYTES);
    assert.equal(message[1], BinaryMessage.SYNC_CHECKSUM);
    const checksum = decodeChecksum(message.subarray(2));
    assert.equal(checksum.frame, frame);
    assert.deepEqual([...checksum.parts], [["", BENCH_STATE_HASH]]);
    assert.equal(messages.for(frame), message, "the same buffer for the same frame");
  }
  assert.match(BENCH_STATE_HASH, /^[0-9a-f]{16}$/);
  // Every bot of a room sends the same bytes: the room's checks agree.
  assert.deepEqual(new ChecksumMessages().for(30), messages.for(30));
});

test("checksum messages held are bounded, the oldest going first", () => {
  const messages = new ChecksumMessages(BENCH_STATE_HASH, 2);
  const first = messages.for(30);
  const second = messages.for(60);
  messages.for(90);
  assert.equal(messages.size, 2);
  assert.equal(messages.for(60), second, "a recent one is kept");
  const again = messages.for(30);
  assert.notEqual(again, first, "the oldest was dropped and is built again");
  assert.deepEqual(again, first);
  assert.equal(messages.size, 2);
  assert.throws(() => new ChecksumMessages(BENCH_STATE_HASH, 0), RangeError);
});

test("the bots' frame scan returns the frame's number, which decides the checksum", () => {
  const input = new Uint8Array(10);
  new DataView(input.buffer).setUint32(0, 7);
  const frame = encodeFrame(new ByteWriter(), { frame: 18_030, entries: [{ type: "action", slot: 0, payload: encodeAction(input) }] }).toBytes();
  const message = Buffer.concat([Uint8Array.of(ROOM_DATA_BYTES, BinaryMessage.SYNC_FRAME), frame]);
  assert.equal(scanLockstepFrame(message, 2, 7, new BotStats(30), 0), 18_030);
});

const server = (cpuMs: number, checksumsAccepted?: number, extra: Partial<ServerStats> = {}): ServerStats => ({
  lateness: { count: 0, p50: 0, p99: 0, max: 0 },
  cpuMs,
  kernelCpuMs: 0,
  wallMs: 1000,
  rssBytes: 0,
  ...(checksumsAccepted === undefined ? {} : { checksumsAccepted, desyncs: 0, refused: {} }),
  ...extra,
});
const window = (stats: ServerStats, checksumsSent = 0): WindowResult => ({ server: stats, bots: { checksumsSent } }) as unknown as WindowResult;
const run = (checksumInterval: number, ...windows: WindowResult[]): RunResult =>
  ({ workload: { target: "lockstep", checksumInterval }, players: 400, windows }) as unknown as RunResult;

/** To a thousandth: the costs are quotients of floating-point CPU shares. */
const rounded = (value: number): number => Math.round(value * 1000) / 1000;

test("a checksum's cost is the server CPU difference over the checksums accepted per second, for every pairing of windows", () => {
  const off = run(0, window(server(200)), window(server(220)));
  // 1,000 checksums a second; 10 and 30 ms of CPU a second over the off windows.
  const on = run(30, window(server(230, 1000)), window(server(240, 1000)));
  assert.deepEqual(checksumCosts(off, on).map(rounded), [30, 10, 40, 20]);
  const cost = checksumCostMicros(off, on)!;
  assert.deepEqual([cost.median, cost.min, cost.max].map(rounded), [25, 10, 40]);
  // Noise can make the difference negative: it is kept, so the spread shows it.
  assert.equal(rounded(checksumCostMicros(run(0, window(server(250))), run(30, window(server(240, 1000))))!.median), -10);
  assert.equal(checksumCostMicros(off, run(30, window(server(230, 0)))), undefined, "nothing accepted: no cost");
});

test("a cost per checksum converts to a share of a core per 1,000 players", () => {
  // 1,000 players at 30 Hz every 30 frames: 1,000 checksums a second; 10 µs each is 10 ms a second.
  assert.equal(corePercentPer1000Players(10, 30, 30), 1);
  assert.equal(corePercentPer1000Players(10, 30, 1), 30);
  assert.equal(corePercentPer1000Players(0, 30, 30), 0);
});

test("players held are those of the last step that held before the first that did not", () => {
  const steps = (...holds: boolean[]) => holds.map((held, index) => ({ players: 200 + index * 100, holds: held }));
  assert.equal(playersHeld(steps(true, true, false)), 300);
  assert.equal(playersHeld(steps(true, false, true)), 200, "a later step that holds does not count");
  assert.equal(playersHeld(steps(false, true)), undefined);
  assert.equal(playersHeld(steps(true, true, true)), 400);
  assert.deepEqual(spreadOf([3, 1, 2, 10]), { median: 2.5, min: 1, max: 10 });
});

test("a run with checksums on must have them all accepted, none refused and no desync", () => {
  assert.deepEqual(checksumProblems(run(0, window(server(100)))), [], "checksums off: nothing to check");
  const good = run(30, window(server(100, 4000), 4000), window(server(100, 3800), 4100));
  assert.deepEqual(checksumProblems(good), [], "a shortfall of up to one per player is a window boundary");
  assert.deepEqual(checksumTotals(good), { sent: 8100, accepted: 7800, perSecond: 3900, desyncs: 0, refused: {}, refusedNotActions: 0 });
  assert.match(checksumProblems(run(30, window(server(100, 3000), 4000))).join(), /accepted 3000 of 4000/);
  assert.match(checksumProblems(run(30, window(server(100, 4000, { desyncs: 2 }), 4000))).join(), /2 desyncs/);
  assert.match(
    checksumProblems(run(30, window(server(100, 4000, { refused: { CHECKSUM_REPEATED: 5 } }), 4000))).join(),
    /5 messages refused \(CHECKSUM_REPEATED 5\)/,
  );
  // Inputs refused after a late frame are the lateness's symptom, not the checksums'.
  const late = run(
    30,
    window(server(100, 4000, { refused: { ACTION_LIMIT_REACHED: 9 } }), 4000),
    window(server(100, 4000, { refused: { ACTION_LIMIT_REACHED: 3 } }), 4000),
  );
  assert.deepEqual(checksumProblems(late), []);
  assert.deepEqual(checksumTotals(late).refused, { ACTION_LIMIT_REACHED: 12 });
  assert.match(checksumProblems(run(30, window(server(100, 0), 0))).join(), /sent no checksum/);
  assert.match(checksumProblems(run(30, window(server(100), 4000))).join(), /did not report/);
});

test("a server's window reports how much its counters grew since the window started", () => {
  const counters = { checksumsAccepted: 10, desyncs: 0, refused: { RATE_LIMITED: 1 } as Record<string, number> };
  const stats = new WindowStats(new Histogram(), () => ({ ...counters, refused: { ...counters.refused } }));
  counters.checksumsAccepted = 25;
  assert.equal(stats.read().checksumsAccepted, 15);
  stats.reset();
  counters.checksumsAccepted = 40;
  counters.desyncs = 1;
  counters.refused = { RATE_LIMITED: 1, ACTION_LIMIT_REACHED: 4 };
  const read = stats.read();
  assert.deepEqual([read.checksumsAccepted, read.desyncs, read.refused], [15, 1, { ACTION_LIMIT_REACHED: 4 }]);
  assert.equal(new WindowStats(new Histogram()).read().checksumsAccepted, undefined, "a server without counters reports none");
});

test("rounds of one workload merge into one run over all their windows, judged like one", () => {
  const first = run(30, window(server(100, 400), 400), window(server(110, 400), 400));
  const second = { ...run(30, window(server(120, 400), 400)), pinned: false } as RunResult;
  const merged = mergeRuns([first, second])!;
  assert.deepEqual(
    merged.windows.map((w) => w.server.cpuMs),
    [100, 110, 120],
  );
  assert.equal(merged.pinned, false, "pinned only if every round was");
  assert.equal(merged.players, 400);
  assert.deepEqual(checksumTotals(merged).sent, 1200);
  assert.equal(mergeRuns([]), undefined);
});
