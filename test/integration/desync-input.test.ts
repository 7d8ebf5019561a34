import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import type { DesyncReport } from "../../src/lockstep/desync-report.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { ByteWriter } from "../../src/protocol/byte-writer.ts";
import { StateDumpFormat, encodeChecksum, encodeStateDumpChunk, stateDumpMessages } from "../../src/protocol/checksum-codec.ts";
import { BinaryMessage, LockstepCloseCode, LockstepErrorCode } from "../../src/protocol/messages.ts";
import { eventually } from "../support/eventually.ts";
import { EventLog, bootLockstep, type LockstepTestServer, type TestClient, type TestMatch } from "../../src/testing/index.ts";

/** Checks every 10 frames at 30 Hz; hashes are accepted for 60 frames back (twice the 1 s wait). */
class CheckedRoom extends LockstepRoom {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 2, maxPlayers: 2, checksumInterval: 10, checksumWaitMs: 1000, maxDumpBytes: 4096 };
  readonly reports = new EventLog<DesyncReport>("a desync report");
  override onDesyncReport(report: DesyncReport): void {
    this.reports.push(report);
  }
}

/** Strikes without end: a flood meets the rate limit before the strike budget. */
class LenientCheckedRoom extends CheckedRoom {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 2, maxPlayers: 2, checksumInterval: 10, maxStrikes: 100_000 };
}

class UncheckedRoom extends LockstepRoom {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 2, maxPlayers: 2, checksumInterval: 0 };
}

let server: LockstepTestServer;
before(async () => {
  // Every match seats the same test accounts: more joins per minute than a real account makes.
  server = await bootLockstep({
    rooms: { checked: CheckedRoom, lenient: LenientCheckedRoom, unchecked: UncheckedRoom },
    limits: { matchmakingPerAccountPerMinute: 1000 },
  });
});
after(async () => {
  await server.shutdown();
});

const HASH = "0123456789abcdef";

/** Sends raw `sync_checksum` bytes and returns the refusal they earn. */
async function refusalOf(player: TestClient, bytes: Uint8Array): Promise<{ code: string; type?: string; message: string }> {
  const refused = player.errors.next();
  player.room.sendBytes(BinaryMessage.SYNC_CHECKSUM, bytes);
  return refused;
}

/** The frame stream goes on, gapless, for both players. */
async function framesFlow(match: TestMatch<CheckedRoom>): Promise<void> {
  const before = match.room.lastFrame;
  const frames = await match.advance(5);
  assert.deepEqual(
    frames.map((frame) => frame.frame),
    [1, 2, 3, 4, 5].map((n) => before + n),
  );
}

test("checksums for frames not closed, not checked, too old or repeated, and malformed ones, get clear errors; frames flow on", async () => {
  const match = await server.startMatch<CheckedRoom>("checked");
  const [player] = match.players;
  await match.advance(100);

  const future = await refusalOf(player!, encodeChecksum(110, HASH));
  assert.equal(future.code, LockstepErrorCode.FRAME_OUT_OF_RANGE);
  assert.equal(future.type, "sync_checksum");
  assert.match(future.message, /has not closed yet/);

  assert.match((await refusalOf(player!, encodeChecksum(95, HASH))).message, /not a checked frame/);

  const old = await refusalOf(player!, encodeChecksum(30, HASH));
  assert.equal(old.code, LockstepErrorCode.FRAME_OUT_OF_RANGE);
  assert.match(old.message, /too old/);

  player!.checksum(90, HASH);
  const repeated = await refusalOf(player!, encodeChecksum(90, HASH));
  assert.equal(repeated.code, LockstepErrorCode.CHECKSUM_REPEATED);

  const writer = new ByteWriter();
  const malformed: Uint8Array[] = [
    new Uint8Array(),
    Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
    writer.reset().varuint(80).varuint(0).toBytes(),
    writer.reset().varuint(80).varuint(33).toBytes(),
    // A hash that is not a printable token, and a part name with a quote.
    writer
      .reset()
      .varuint(80)
      .varuint(1)
      .varuint(0)
      .varuint(3)
      .bytes(Uint8Array.of(0x3c, 0x62, 0x3e))
      .toBytes(),
    writer.reset().varuint(80).varuint(1).varuint(1).bytes(Uint8Array.of(0x22)).varuint(2).bytes(Uint8Array.of(0x61, 0x62)).toBytes(),
    // Parts out of order, and a trailing byte.
    Uint8Array.from([...encodeChecksum(80, { b: HASH, a: HASH })].map((byte, i, all) => (i === 3 ? all[3 + 1 + 1 + 16 + 1]! : byte))),
    Uint8Array.from([...encodeChecksum(80, HASH), 0]),
  ];
  for (const bytes of malformed) {
    const refusal = await refusalOf(player!, bytes);
    assert.equal(refusal.code, LockstepErrorCode.MESSAGE_MALFORMED, `refused as malformed: ${Buffer.from(bytes).toString("hex")}`);
    assert.equal(refusal.type, "sync_checksum");
  }
  assert.equal(player!.closes.items.length, 0, "a dozen refusals are within the strike budget");
  assert.equal(match.room.inspect().checksums!.checksums_received, 1);
  await framesFlow(match);
  await match.leave();
});

test("a checksum flood closes only the flooder (out of strikes); the other player's frames flow on", async () => {
  const match = await server.startMatch<CheckedRoom>("checked");
  const [flooder, other] = match.players;
  await match.advance(20);
  for (let i = 0; i < 400; i++) flooder!.checksum(10, HASH);
  assert.equal(await flooder!.closes.wait(), LockstepCloseCode.ABUSE);
  assert.ok(flooder!.errors.items.some((error) => error.code === LockstepErrorCode.CHECKSUM_REPEATED));
  const seen = other!.lastFrame;
  const frames = await match.advance(3);
  assert.deepEqual(
    frames.map((frame) => frame.frame),
    [seen + 1, seen + 2, seen + 3],
  );
  await match.leave();
});

test("checksums count against the sender's message rate like any message", async () => {
  const match = await server.startMatch<CheckedRoom>("lenient");
  const [flooder, other] = match.players;
  await match.advance(20);
  for (let i = 0; i < 400; i++) flooder!.checksum(10, HASH);
  // One accepted, every other one refused, as repeated or over the rate: none reached the book twice.
  await flooder!.errors.wait(() => flooder!.errors.items.length === 399);
  const limited = flooder!.errors.items.filter((error) => error.code === LockstepErrorCode.RATE_LIMITED);
  assert.ok(limited.length > 0 && limited.every((error) => error.type === "4"));
  assert.ok(flooder!.errors.items.every((error) => error.code === LockstepErrorCode.RATE_LIMITED || error.code === LockstepErrorCode.CHECKSUM_REPEATED));
  assert.equal(match.room.inspect().checksums!.checksums_received, 1);
  // The advance below flushes every player with a ping, which counts against the same rate: wait as the server says.
  const retryAfter = Number(limited.at(-1)!.details!.retry_after_ms);
  await new Promise((resolve) => setTimeout(resolve, retryAfter));
  const seen = other!.lastFrame;
  const frames = await match.advance(2);
  assert.deepEqual(
    frames.map((frame) => frame.frame),
    [seen + 1, seen + 2],
  );
  await match.leave();
});

test("a player over its message rate can still leave: a leave is never refused for the rate", async () => {
  const match = await server.startMatch<CheckedRoom>("lenient");
  const [flooder, other] = match.players;
  await match.advance(20);
  for (let i = 0; i < 400; i++) flooder!.checksum(10, HASH);
  // Right behind the flood, with the budget spent: before, the server dropped it and the client waited forever.
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error("the leave was not taken")), 5000);
  });
  await Promise.race([flooder!.leave(), gaveUp]).finally(() => clearTimeout(timer));
  assert.ok(
    flooder!.errors.items.some((error) => error.code === LockstepErrorCode.RATE_LIMITED),
    "the flood did go over the rate",
  );
  assert.equal(flooder!.closes.items.length, 1, "its connection closed");
  await eventually(() =>
    assert.deepEqual(
      match.room.players.map((player) => player.uid),
      [other!.uid],
      "its seat is released",
    ),
  );
  await match.leave();
});

test("dumps: refused unasked, over the room's bound or out of order; the report is finished without them", async () => {
  const match = await server.startMatch<CheckedRoom>("checked");
  const [a, b] = match.players;
  await match.advance(11);
  // Unasked: no desync yet.
  const unasked = a!.errors.next();
  a!.room.sendBytes(BinaryMessage.STATE_DUMP, stateDumpMessages(10, StateDumpFormat.JSON, new TextEncoder().encode("{}"))[0]!);
  assert.equal((await unasked).code, LockstepErrorCode.DUMP_NOT_REQUESTED);

  // Two players, two hashes: a desync, and each is asked for its state at frame 10.
  a!.checksum(10, { world: HASH });
  b!.checksum(10, { world: "fedcba9876543210" });
  const [askedA, askedB] = await Promise.all([a!.dumpRequests.wait(), b!.dumpRequests.wait()]);
  assert.equal(askedA.frame, 10);
  assert.equal(askedA.max_bytes, 4096);
  assert.equal(askedB.report_id, askedA.report_id);

  // A dump over the 4 KiB bound.
  const big = stateDumpMessages(10, StateDumpFormat.JSON, new TextEncoder().encode(JSON.stringify({ pad: "x".repeat(5000) })));
  const tooBig = a!.errors.next();
  for (const chunk of big) a!.room.sendBytes(BinaryMessage.STATE_DUMP, chunk);
  assert.equal((await tooBig).code, LockstepErrorCode.DUMP_INVALID);
  // Chunk 1 before chunk 0.
  const outOfOrder = b!.errors.next();
  b!.room.sendBytes(
    BinaryMessage.STATE_DUMP,
    encodeStateDumpChunk({ frame: 10, index: 1, count: 2, format: StateDumpFormat.JSON, bytes: Uint8Array.of(0x7b) }),
  );
  assert.equal((await outOfOrder).code, LockstepErrorCode.DUMP_INVALID);
  // Once refused, the upload is over: a later chunk is unasked.
  const after = b!.errors.next();
  b!.room.sendBytes(
    BinaryMessage.STATE_DUMP,
    encodeStateDumpChunk({ frame: 10, index: 0, count: 1, format: StateDumpFormat.JSON, bytes: Uint8Array.of(0x7b, 0x7d) }),
  );
  assert.equal((await after).code, LockstepErrorCode.DUMP_NOT_REQUESTED);

  const report = await match.room.reports.wait();
  assert.equal(report.id, askedA.report_id);
  assert.equal(report.dump_status, "none");
  assert.deepEqual(report.dumps, []);
  assert.deepEqual(report.parts, ["world"]);
  await framesFlow(match);
  await match.leave();
});

test("checksums in a room with checksums off are an unknown message; before the start, the match is not running", async () => {
  const unchecked = await server.startMatch("unchecked");
  const unknown = unchecked.players[0]!.errors.next();
  unchecked.players[0]!.checksum(0, HASH);
  assert.equal((await unknown).code, LockstepErrorCode.MESSAGE_UNKNOWN);
  await unchecked.leave();

  const waiting = await server.createMatch<CheckedRoom>("checked");
  const early = waiting.players[0]!.errors.next();
  waiting.players[0]!.checksum(0, HASH);
  assert.equal((await early).code, LockstepErrorCode.MATCH_NOT_RUNNING);
  await waiting.leave();
});
