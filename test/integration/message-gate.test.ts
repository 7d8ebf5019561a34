import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Packr } from "msgpackr";
import { createRandom } from "../../client-sdk/src/index.ts";
import { ColyseusCode } from "../../src/protocol/colyseus-envelope.ts";
import {
  BinaryMessage,
  ControlMessage,
  FrameEventKind,
  LockstepCloseCode,
  LockstepErrorCode,
  encodeAction,
  type RoomLeaveMessage,
} from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer, hex, sameBytes } from "../support/player.ts";
import { PING_MESSAGE, bytesMessage, dataMessage, requestMessage } from "../support/raw-messages.ts";
import { DELIBERATE_REJECTION, DELIBERATE_THROW, FuzzRoom, StrictRoom } from "../support/rooms.ts";
import { StateDumpFormat, encodeChecksum, encodeStateDumpChunk } from "../../src/protocol/checksum-codec.ts";
import { serverRoom, startServer } from "../support/server.ts";

/** Colyseus's `ResponseStatus.REJECTED`. */
const REJECTED = 1;

/** msgpackr with every extension on: what an attacker encodes with. */
const exotic = new Packr({ structuredClone: true, moreTypes: true });

function cyclicAction(): Uint8Array {
  const action: Record<string, unknown> = { kind: "move", n: 1 };
  action.self = action;
  return exotic.pack(action);
}

let server: LockstepServer;
before(async () => {
  server = await startServer({ strict: StrictRoom, fuzz: FuzzRoom });
});
after(async () => {
  await server.close();
});

/** A started match of `players` test players (at least two). */
async function startRoom(name: string, players: number): Promise<[TestPlayer, TestPlayer, ...TestPlayer[]]> {
  const first = await TestPlayer.join(server.url, name);
  const all: [TestPlayer, ...TestPlayer[]] = [first];
  for (let i = 1; i < players; i++) all.push(await TestPlayer.joinById(server.url, first.room.roomId));
  for (const player of all) player.ready();
  await Promise.all(all.map((player) => player.starts.wait()));
  return all as [TestPlayer, TestPlayer, ...TestPlayer[]];
}

/** The newest live frame a player has, or -1. */
const lastFrameOf = (player: TestPlayer): number => player.frames.items.at(-1)?.frame.frame ?? -1;

/** Frames `from..to` arrived live, each once, in order. */
function assertGapless(player: TestPlayer, from: number, to: number): void {
  const numbers = player.frames.items.map((live) => live.frame.frame).filter((frame) => frame >= from && frame <= to);
  assert.deepEqual(
    numbers,
    Array.from({ length: to - from + 1 }, (_, i) => from + i),
  );
}

test("a cyclic msgpackr structure sent as a plain sync_action, a reload request or room_prepare is refused; the process, the room and the others go on", async () => {
  const [attacker, other] = await startRoom("strict", 3);
  const payload = cyclicAction();
  assert.ok(payload.byteLength < 64, `a ${payload.byteLength}-byte payload`);

  attacker.raw(dataMessage(ControlMessage.SYNC_ACTION, payload));
  const refused = await attacker.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_MALFORMED);
  assert.equal(refused.type, ControlMessage.SYNC_ACTION);
  assert.match(refused.message, /not plain/);

  attacker.raw(dataMessage(ControlMessage.ROOM_PREPARE, payload));
  await attacker.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_MALFORMED && error.type === ControlMessage.ROOM_PREPARE);

  attacker.raw(requestMessage(4242, ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, payload));
  const answer = await attacker.responses.wait((response) => response.requestId === 4242);
  assert.equal(answer.status, REJECTED);
  assert.equal((answer.payload as { code: string }).code, LockstepErrorCode.MESSAGE_MALFORMED);

  // The binary form with a cycle, a date and a typed array: refused by the action intake.
  for (const value of [
    { kind: "move", n: new Date(0) },
    { kind: "move", n: 1, pad: new Float64Array(2) },
  ]) {
    attacker.room.sendBytes(BinaryMessage.SYNC_ACTION, exotic.pack(value));
    await attacker.errors.wait((error) => error.code === LockstepErrorCode.ACTION_MALFORMED && error.message.includes("not plain"));
  }
  attacker.room.sendBytes(BinaryMessage.SYNC_ACTION, payload);

  const seen = lastFrameOf(other);
  await other.waitForFrame(seen + 10);
  assertGapless(other, 0, seen + 10);
  assert.equal(attacker.closes.items.length, 0, "a few refusals are strikes, not a close");
  assert.equal(serverRoom<StrictRoom>(other.room.roomId).phase, "running");
});

test("unknown types and codes and malformed messages are strikes with clear codes; past the budget the client is closed with 4429 and its seat released", async () => {
  const [intruder, witness] = await startRoom("strict", 3);
  const witnessPlayer = witness!;
  intruder.raw(dataMessage("chat", encodeAction("hello")));
  const unknown = await intruder.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_UNKNOWN);
  assert.equal(unknown.type, "chat");
  await assert.rejects(
    intruder.room.request("secret_admin_call", { please: true }),
    (error: { reason?: { code?: string } }) => error.reason?.code === LockstepErrorCode.MESSAGE_UNKNOWN,
  );
  intruder.raw(bytesMessage(99, Uint8Array.of(1, 2, 3)));
  await intruder.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_UNKNOWN && error.type === "99");
  intruder.raw(Uint8Array.of(ColyseusCode.ROOM_INPUT_RELIABLE, 1, 2));
  await intruder.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_UNKNOWN && /code 19/.test(error.message));
  intruder.raw(dataMessage(ControlMessage.ROOM_PREPARE, Uint8Array.of(0xc1)));
  await intruder.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_MALFORMED && error.type === ControlMessage.ROOM_PREPARE);
  intruder.raw(Uint8Array.of(ColyseusCode.ROOM_DATA, 0xdb, 0xff, 0xff, 0xff, 0x7f));
  await intruder.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_MALFORMED && /not a valid message/.test(error.message));

  const closed = intruder.closes.wait();
  for (let i = 0; i < 20; i++) intruder.raw(dataMessage(`unknown_${i}`));
  assert.equal(await closed, LockstepCloseCode.ABUSE);
  const leave = await witnessPlayer.control.wait((message) => message.type === ControlMessage.ROOM_LEAVE);
  assert.equal((leave.message as RoomLeaveMessage).reason, "kicked");
  assert.equal(
    witnessPlayer.control.items.filter((message) => message.type === ControlMessage.ROOM_DROP).length,
    0,
    "released at once, not held for reconnection",
  );
  await witnessPlayer.frames.wait((live) => live.frame.entries.some((entry) => entry.type === "event" && entry.kind === FrameEventKind.LEFT));
});

test("every message counts against the rate, pings included: a ping flood is refused with RATE_LIMITED and closed with 4429", async () => {
  const [flooder, witness] = await startRoom("strict", 3);
  const closed = flooder.closes.wait();
  for (let i = 0; i < 200; i++) flooder.raw(PING_MESSAGE);
  assert.equal(await closed, LockstepCloseCode.ABUSE);
  assert.ok(
    flooder.errors.items.some((error) => error.code === LockstepErrorCode.RATE_LIMITED),
    "told why before the close",
  );
  const leave = await witness.control.wait((message) => message.type === ControlMessage.ROOM_LEAVE);
  assert.equal((leave.message as RoomLeaveMessage).reason, "kicked");
});

test("frames carry what the schema accepted, never the sender's extra keys, in both the binary and the plain form", async () => {
  const [sender, receiver] = await startRoom("strict", 3);
  const slot = await sender.slot();
  const accepted = encodeAction({ kind: "move", n: 5 });
  sender.act({ kind: "move", n: 5, smuggled: { huge: "x".repeat(20) } });
  const binary = await receiver.frames.wait((live) => live.frame.entries.some((entry) => entry.type === "action" && entry.slot === slot));
  const relayed = binary.frame.entries.find((entry) => entry.type === "action" && entry.slot === slot)!;
  assert.equal(relayed.type, "action");
  assert.equal(hex(relayed.type === "action" ? relayed.payload : new Uint8Array()), hex(accepted));

  sender.room.send(ControlMessage.SYNC_ACTION, { kind: "move", n: 6, extra: [1, 2, 3] });
  const plain = await receiver.waitForAction(slot, encodeAction({ kind: "move", n: 6 }));
  assert.ok(
    plain.frame.entries.every(
      (entry) => entry.type !== "action" || entry.slot !== slot || !sameBytes(entry.payload, exotic.pack({ kind: "move", n: 6, extra: [1, 2, 3] })),
    ),
  );
});

test("a game handler that throws or rejects refuses that message (MESSAGE_FAILED) and the process goes on", async () => {
  // Only this test's failures count (other tests of this file use fuzz rooms too).
  FuzzRoom.reported.length = 0;
  const [player, other] = await startRoom("fuzz", 2);
  player.room.send("boom", {});
  await player.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_FAILED && error.type === "boom");
  player.room.send("boom_async", {});
  await player.errors.wait((error) => error.code === LockstepErrorCode.MESSAGE_FAILED && error.type === "boom_async");
  const seen = lastFrameOf(other);
  await other.waitForFrame(seen + 5);
  assert.ok(
    [DELIBERATE_THROW, DELIBERATE_REJECTION].every((message) => FuzzRoom.reported.includes(message)),
    "both failures reached the room's reportException",
  );
});

/** Payloads an attacker would try: random trees through every encoder, cycles, depth, lies, noise. */
function fuzzPayload(next: () => number): Uint8Array {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const tree = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 4 ? 6 : 9));
    switch (kind) {
      case 0:
        return null;
      case 1:
        return next() < 0.5;
      case 2:
        return pick([0, -1, 2 ** 31, -(2 ** 53), 1.5, NaN, Infinity, 2 ** 64]);
      case 3:
        return "s".repeat(Math.floor(next() * 40));
      case 4:
        return pick([new Date(0), new Set([1]), new Uint16Array(3), 12345678901234567890n, /x+/, new Error("e")]);
      case 5:
        return new Uint8Array(Math.floor(next() * 10));
      case 6:
        return Array.from({ length: Math.floor(next() * 4) }, () => tree(depth + 1));
      case 7:
        return Object.fromEntries(
          Array.from({ length: Math.floor(next() * 4) }, (_, i) => [pick(["kind", "n", "__proto__", "start_frame", `k${i}`]), tree(depth + 1)]),
        );
      default:
        return { kind: "move", n: Math.floor(next() * 100) };
    }
  };
  const encoders = [new Packr(), new Packr({ useRecords: false }), exotic, new Packr({ bundleStrings: true, useRecords: true })];
  let bytes: Uint8Array;
  const shape = next();
  if (shape < 0.1) bytes = cyclicAction();
  else if (shape < 0.15) bytes = Uint8Array.from(new Array<number>(2000).fill(0x91));
  else if (shape < 0.2) bytes = Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256));
  else {
    try {
      bytes = pick(encoders).pack(tree(0));
    } catch {
      bytes = Uint8Array.of(0xc0);
    }
  }
  const mutation = next();
  if (mutation < 0.15 && bytes.byteLength > 1) bytes = bytes.subarray(0, Math.floor(next() * bytes.byteLength));
  else if (mutation < 0.3) {
    bytes = bytes.slice();
    for (let i = 0; i < 3 && bytes.byteLength > 0; i++) bytes[Math.floor(next() * bytes.byteLength)] = Math.floor(next() * 256);
  } else if (mutation < 0.35) bytes = Uint8Array.from([...bytes, 0xdd, 0xff, 0xff, 0xff, 0xff]);
  return bytes.byteLength > 3500 ? bytes.subarray(0, 3500) : bytes;
}

function fuzzMessage(next: () => number, requestId: number): Uint8Array {
  const types = [ControlMessage.SYNC_ACTION, ControlMessage.ROOM_PREPARE, ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, "boom", "nope", 3, 1, 99, 4, 5];
  const type = types[Math.floor(next() * types.length)]!;
  const form = next();
  if (form < 0.3) return dataMessage(type, fuzzPayload(next));
  if (form < 0.5) return requestMessage(requestId, type, fuzzPayload(next));
  if (form < 0.75) return bytesMessage(typeof type === "number" ? type : BinaryMessage.SYNC_ACTION, fuzzPayload(next));
  if (form < 0.78) return Uint8Array.of(ColyseusCode.PING);
  // Well-formed checksums and dump chunks for frames near and far: the desync handlers' own checks.
  if (form < 0.8) {
    const frame = Math.floor(next() * 300);
    if (next() < 0.5) return bytesMessage(BinaryMessage.SYNC_CHECKSUM, encodeChecksum(frame, next() < 0.5 ? "00ff00ff00ff00ff" : { a: "1", b: "2" }));
    return bytesMessage(BinaryMessage.STATE_DUMP, encodeStateDumpChunk({ frame, index: 0, count: 1, format: StateDumpFormat.JSON, bytes: fuzzPayload(next) }));
  }
  // Any leading byte but LEAVE_ROOM (a consented leave would end the run), then noise.
  const code = Math.floor(next() * 256);
  return Uint8Array.from([code === ColyseusCode.LEAVE_ROOM ? ColyseusCode.PING : code, ...fuzzPayload(next).subarray(0, 40)]);
}

test("fuzz: thousands of random and adversarial messages on every handler never reach an uncaught exception nor disturb the frames", async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  try {
    const [fuzzer, witness] = await startRoom("fuzz", 2);
    // Seeded, so a failing run can be replayed.
    const random = createRandom(0x5eed);
    const next = (): number => random.next();
    await witness.waitForFrame(0);
    const firstFrame = lastFrameOf(witness);
    const MESSAGES = 4000;
    for (let sent = 0; sent < MESSAGES; sent++) {
      fuzzer.raw(fuzzMessage(next, sent + 1));
      // Let the frame clock run between bursts, as real traffic interleaves.
      if (sent % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    fuzzer.raw(PING_MESSAGE);
    const lastSeen = lastFrameOf(witness);
    await witness.waitForFrame(lastSeen + 5);
    assertGapless(witness!, firstFrame, lastSeen + 5);
    const refusals = fuzzer.errors.items.length + fuzzer.responses.items.filter((response) => response.status === REJECTED).length;
    assert.ok(refusals > MESSAGES / 4, `${refusals} refusals for ${MESSAGES} hostile messages`);
    const failed = fuzzer.errors.items.filter((error) => error.code === LockstepErrorCode.MESSAGE_FAILED && error.type !== "boom");
    assert.deepEqual(failed, [], "the room's own handlers never threw");
    assert.equal(fuzzer.closes.items.length, 0, "the fuzzer (unlimited budgets) stayed connected");
    assert.equal(serverRoom<FuzzRoom>(witness.room.roomId).phase, "running");
    assert.deepEqual(uncaught, []);
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  }
});
