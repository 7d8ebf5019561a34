import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAction, encodeAction } from "../../../src/protocol/action-codec.ts";
import { ByteWriter } from "../../../src/protocol/byte-writer.ts";
import { FrameEventKind, decodeFrame, type Frame } from "../../../src/protocol/frame-codec.ts";
import { frameToBytes } from "../../support/frames.ts";
import { ProtocolError, ProtocolErrorCode } from "../../../src/protocol/protocol-error.ts";
import { decodeReloadChunk, encodeReloadChunkHeader } from "../../../src/protocol/reload-codec.ts";

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "hex"));
const isProtocolError = (code: string) => (error: unknown) => error instanceof ProtocolError && error.code === code;

test("empty frames cost the frame number plus one byte", () => {
  assert.equal(hexOf(frameToBytes({ frame: 0, entries: [] })), "0000");
  assert.equal(hexOf(frameToBytes({ frame: 300, entries: [] })), "ac0200");
  // Ten hours at 30 Hz still fits four bytes.
  assert.equal(frameToBytes({ frame: 30 * 3600 * 10, entries: [] }).byteLength, 4);
});

test("frame with an action and an event: golden bytes", () => {
  const frame: Frame = {
    frame: 5,
    entries: [
      { type: "action", slot: 1, payload: Uint8Array.of(0xaa, 0xbb) },
      { type: "event", slot: 2, kind: FrameEventKind.LEFT },
    ],
  };
  const bytes = frameToBytes(frame);
  assert.equal(hexOf(bytes), "05" + "02" + "02" + "02" + "aabb" + "05" + "01");
  assert.deepEqual(decodeFrame(bytes), frame);
});

test("four 12-byte inputs fit in 64 bytes", () => {
  const entries = [0, 1, 2, 3].map((slot) => ({ type: "action" as const, slot, payload: new Uint8Array(12).fill(slot) }));
  const bytes = frameToBytes({ frame: 18_000, entries });
  assert.ok(bytes.byteLength <= 64, `frame took ${bytes.byteLength} bytes`);
  assert.equal(bytes.byteLength, 3 + 1 + 4 * (1 + 1 + 12));
});

test("malformed frames raise typed errors", () => {
  assert.throws(() => decodeFrame(fromHex("05")), isProtocolError(ProtocolErrorCode.TRUNCATED));
  assert.throws(() => decodeFrame(fromHex("05 7f")), isProtocolError(ProtocolErrorCode.TRUNCATED), "count larger than the input");
  assert.throws(() => decodeFrame(fromHex("05 01 02 05 aa")), isProtocolError(ProtocolErrorCode.TRUNCATED), "payload cut short");
  assert.throws(() => decodeFrame(fromHex("05 01 03 09")), isProtocolError(ProtocolErrorCode.INVALID_VALUE), "unknown event kind");
  assert.throws(() => decodeFrame(fromHex("05 00 00")), isProtocolError(ProtocolErrorCode.TRAILING_BYTES));
});

test("reload chunk: golden bytes, and frames come back byte for byte", () => {
  const first = frameToBytes({ frame: 0, entries: [] });
  const second = frameToBytes({ frame: 1, entries: [{ type: "action", slot: 0, payload: Uint8Array.of(7) }] });
  const writer = encodeReloadChunkHeader(new ByteWriter(), { requestId: 7, final: true, frameCount: 2 });
  writer.bytes(first).bytes(second);
  const bytes = writer.toBytes();
  assert.equal(hexOf(bytes), "07" + "01" + "02" + "0000" + "0101000107");
  const chunk = decodeReloadChunk(bytes);
  assert.equal(chunk.requestId, 7);
  assert.equal(chunk.final, true);
  assert.deepEqual(
    chunk.frames.map((frame) => frame.frame),
    [0, 1],
  );
  assert.deepEqual(chunk.frameBytes, [first, second]);
  assert.throws(() => decodeReloadChunk(fromHex("07 04 00")), isProtocolError(ProtocolErrorCode.INVALID_VALUE), "unknown flag");
  assert.throws(() => decodeReloadChunk(fromHex("07 00 05 0000")), isProtocolError(ProtocolErrorCode.TRUNCATED));
});

test("actions round-trip through msgpack and malformed bytes throw", () => {
  const action = { type: "move", dx: -1, dy: 1, tags: ["a"] };
  assert.deepEqual(decodeAction(encodeAction(action)), action);
  assert.equal(hexOf(encodeAction(3)), "03");
  assert.throws(() => decodeAction(Uint8Array.of(0xd9, 0x05, 0x61)), "string cut short");
  assert.throws(() => decodeAction(Uint8Array.of(0x92, 0x01)), "array cut short");
  assert.throws(() => decodeAction(Uint8Array.of(0x01, 0x02)), "two values");
});
