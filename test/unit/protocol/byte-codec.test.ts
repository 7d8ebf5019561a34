import assert from "node:assert/strict";
import { test } from "node:test";
import { ByteReader } from "../../../src/protocol/byte-reader.ts";
import { ByteWriter, MAX_VARUINT, varuintSize } from "../../../src/protocol/byte-writer.ts";
import { ProtocolError, ProtocolErrorCode } from "../../../src/protocol/protocol-error.ts";

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

test("varuint golden bytes", () => {
  const cases: [number, string][] = [
    [0, "00"],
    [1, "01"],
    [127, "7f"],
    [128, "8001"],
    [300, "ac02"],
    [16_383, "ff7f"],
    [16_384, "808001"],
    [2 ** 32, "8080808010"],
    [MAX_VARUINT, "ffffffffffffff0f"],
  ];
  for (const [value, expected] of cases) {
    const bytes = new ByteWriter().varuint(value).toBytes();
    assert.equal(hexOf(bytes), expected, `encoding ${value}`);
    assert.equal(varuintSize(value), bytes.byteLength, `size of ${value}`);
    const reader = new ByteReader(bytes);
    assert.equal(reader.varuint(), value, `decoding ${value}`);
    assert.equal(reader.done, true);
  }
});

test("varuint refuses values it cannot carry exactly", () => {
  for (const bad of [-1, 1.5, MAX_VARUINT + 1, Number.NaN]) {
    assert.throws(() => new ByteWriter().varuint(bad), RangeError, `value ${bad}`);
  }
});

test("reader reports truncation and overlong varints with stable codes", () => {
  const truncated = new ByteReader(Uint8Array.of(0x80));
  assert.throws(
    () => truncated.varuint(),
    (error: unknown) => error instanceof ProtocolError && error.code === ProtocolErrorCode.TRUNCATED,
  );
  const overlong = new ByteReader(new Uint8Array(9).fill(0xff));
  assert.throws(
    () => overlong.varuint(),
    (error: unknown) => error instanceof ProtocolError && error.code === ProtocolErrorCode.VARINT_OVERFLOW,
  );
  const short = new ByteReader(Uint8Array.of(1, 2));
  assert.throws(
    () => short.bytesView(3),
    (error: unknown) => error instanceof ProtocolError && error.code === ProtocolErrorCode.TRUNCATED,
  );
});

test("writer grows past its initial capacity and keeps every byte", () => {
  const writer = new ByteWriter(16);
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  writer.u8(9).bytes(payload).varuint(70_000);
  const bytes = writer.toBytes();
  assert.equal(bytes.byteLength, 1 + 1000 + 3);
  assert.equal(bytes[0], 9);
  assert.deepEqual(bytes.subarray(1, 1001), payload);
  writer.reset();
  assert.equal(writer.length, 0);
});
