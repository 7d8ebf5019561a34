import assert from "node:assert/strict";
import { test } from "node:test";
import { Packr, unpack } from "msgpackr";
import { encodeAction } from "../../../src/protocol/action-codec.ts";
import { assertPlainMsgpack } from "../../../src/protocol/plain-msgpack.ts";
import { ProtocolError, ProtocolErrorCode } from "../../../src/protocol/protocol-error.ts";

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s/g, ""), "hex"));

function refusedWith(bytes: Uint8Array, code: ProtocolErrorCode, options?: Parameters<typeof assertPlainMsgpack>[3]): void {
  assert.throws(
    () => assertPlainMsgpack(bytes, 0, bytes.byteLength, options),
    (error: unknown) => error instanceof ProtocolError && error.code === code,
  );
}

/** What `@colyseus/sdk` sends: msgpackr's default encoder (records on). */
const sdkPackr = new Packr();
/** A hostile encoder: every msgpackr extension on. */
const exoticPackr = new Packr({ structuredClone: true, moreTypes: true });

test("plain values pass, the way the action codec writes them", () => {
  const values: unknown[] = [
    null,
    true,
    false,
    0,
    127,
    -32,
    255,
    -129,
    65_535,
    2 ** 32,
    -(2 ** 40),
    1.5,
    -0.25,
    "",
    "move",
    "é".repeat(40),
    "x".repeat(70_000),
    [],
    [1, [2, [3]]],
    {},
    { type: "move", dx: 1, dy: -1 },
    { nested: { list: [1, "two", { three: 3 }] } },
    new Uint8Array([1, 2, 3]),
    { 1: "integer keys are fine" },
    Array.from({ length: 20 }, (_, i) => ({ i })),
  ];
  for (const value of values) assertPlainMsgpack(encodeAction(value));
});

test("msgpackr records and undefined (what @colyseus/sdk sends) pass only when allowed, and decode to plain objects", () => {
  const value = {
    kind: "move",
    n: 7,
    list: [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ],
    gone: undefined,
  };
  const bytes = sdkPackr.pack(value);
  assert.equal(bytes[0], 0xd4, "a record definition opens the message");
  assertPlainMsgpack(bytes, 0, bytes.byteLength, { msgpackrRecords: true });
  refusedWith(bytes, ProtocolErrorCode.NOT_PLAIN_DATA);
  assert.deepEqual(unpack(bytes), value);
  // Without a definition in the message, 0x40..0x7f are plain integers.
  assertPlainMsgpack(hex("40"), 0, 1, { msgpackrRecords: true });
});

test("extensions are refused: cycles, dates, sets, maps, typed arrays, errors, regular expressions, big integers", () => {
  const cyclic: Record<string, unknown> = { kind: "move" };
  cyclic.self = cyclic;
  const exotic: unknown[] = [cyclic, new Date(0), new Set([1]), new Map([[{}, 1]]), new Float32Array(2), new Error("x"), /a+/, 2n ** 70n];
  for (const value of exotic) {
    const bytes = exoticPackr.pack(value);
    refusedWith(bytes, ProtocolErrorCode.NOT_PLAIN_DATA, { msgpackrRecords: true });
  }
  refusedWith(hex("c1"), ProtocolErrorCode.NOT_PLAIN_DATA);
  refusedWith(hex("d4 00 00"), ProtocolErrorCode.NOT_PLAIN_DATA, { msgpackrRecords: false });
});

test("NaN, infinities, non-scalar keys and __proto__ keys are refused", () => {
  refusedWith(hex("cb 7ff8000000000000"), ProtocolErrorCode.NOT_PLAIN_DATA);
  refusedWith(hex("cb fff0000000000000"), ProtocolErrorCode.NOT_PLAIN_DATA);
  refusedWith(hex("ca 7f800000"), ProtocolErrorCode.NOT_PLAIN_DATA);
  assertPlainMsgpack(hex("ca 7f7fffff")); // the largest finite float 32
  refusedWith(hex("81 90 01"), ProtocolErrorCode.NOT_PLAIN_DATA); // { []: 1 }
  refusedWith(hex("81 c0 01"), ProtocolErrorCode.NOT_PLAIN_DATA); // { null: 1 }
  refusedWith(encodeAction(JSON.parse('{"__proto__": {"polluted": true}}')), ProtocolErrorCode.NOT_PLAIN_DATA);
  assertPlainMsgpack(encodeAction({ __proto_: 1, proto: 2 }));
});

test("truncation, lying lengths and trailing bytes are refused before any work", () => {
  refusedWith(hex(""), ProtocolErrorCode.TRUNCATED);
  refusedWith(hex("d9 05 61"), ProtocolErrorCode.TRUNCATED);
  refusedWith(hex("dd ffffffff 01"), ProtocolErrorCode.TRUNCATED); // array of 4 billion items in one byte
  refusedWith(hex("df ffffffff"), ProtocolErrorCode.TRUNCATED);
  refusedWith(hex("c6 ffffffff 00"), ProtocolErrorCode.TRUNCATED);
  refusedWith(hex("01 02"), ProtocolErrorCode.TRAILING_BYTES);
});

test("nesting is bounded, and a hostile depth does not grow the stack", () => {
  const deep = (levels: number): Uint8Array => Uint8Array.from([...new Array<number>(levels).fill(0x91), 0x01]);
  assertPlainMsgpack(deep(32));
  refusedWith(deep(33), ProtocolErrorCode.TOO_DEEP);
  refusedWith(deep(100_000), ProtocolErrorCode.TOO_DEEP);
  assertPlainMsgpack(deep(3), 0, 4, { maxDepth: 3 });
  refusedWith(deep(4), ProtocolErrorCode.TOO_DEEP, { maxDepth: 3 });
});

test("a range inside a larger buffer is checked on its own", () => {
  const bytes = hex("ff ff 92 01 02 ff");
  assertPlainMsgpack(bytes, 2, 5);
});
