import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MAX_STATE_DUMP_CHUNKS,
  STATE_DUMP_CHUNK_BYTES,
  StateDumpFormat,
  checksumParts,
  decodeChecksum,
  decodeStateDumpChunk,
  encodeChecksum,
  stateDumpMessages,
} from "../../../src/protocol/checksum-codec.ts";
import { ProtocolError } from "../../../src/protocol/protocol-error.ts";

test("a single hash is one part named '', encoded byte by byte", () => {
  const bytes = encodeChecksum(300, "00ff00ff00ff00ff");
  assert.deepEqual([...bytes.subarray(0, 5)], [0xac, 0x02, 1, 0, 16]);
  assert.equal(bytes.byteLength, 5 + 16);
  const decoded = decodeChecksum(bytes);
  assert.equal(decoded.frame, 300);
  assert.deepEqual([...decoded.parts], [["", "00ff00ff00ff00ff"]]);
});

test("named parts are sorted by name, so equal states encode equally whatever the key order", () => {
  const one = encodeChecksum(30, { rng: "a1", coins: "b2", players: "c3" });
  const two = encodeChecksum(30, { players: "c3", rng: "a1", coins: "b2" });
  assert.deepEqual(one, two);
  assert.deepEqual([...decodeChecksum(one).parts.keys()], ["coins", "players", "rng"]);
});

test("hashes and names outside their bounds are refused when encoding and when decoding", () => {
  for (const bad of [{}, { a: "" }, { a: "x".repeat(65) }, { a: "<script>" }, { 'a"b': "1" }, { ["n".repeat(65)]: "1" }]) {
    assert.throws(() => checksumParts(bad as Record<string, string>), ProtocolError);
  }
  assert.throws(() => checksumParts(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`p${i}`, "1"]))), ProtocolError);
  assert.throws(() => decodeChecksum(Uint8Array.of(10, 1, 0, 2, 0xc3, 0x28)), ProtocolError, "invalid UTF-8");
});

test("dumps split into chunks of at most 3 KiB that decode back in order", () => {
  const encoded = new TextEncoder().encode(JSON.stringify({ pad: "y".repeat(7000) }));
  const messages = stateDumpMessages(60, StateDumpFormat.JSON, encoded);
  assert.equal(messages.length, Math.ceil(encoded.byteLength / STATE_DUMP_CHUNK_BYTES));
  const chunks = messages.map(decodeStateDumpChunk);
  assert.deepEqual(
    chunks.map((chunk) => [chunk.frame, chunk.index, chunk.count, chunk.format]),
    chunks.map((_, index) => [60, index, messages.length, StateDumpFormat.JSON]),
  );
  assert.deepEqual(Buffer.concat(chunks.map((chunk) => chunk.bytes)), Buffer.from(encoded));
  assert.throws(() => stateDumpMessages(1, StateDumpFormat.JSON, new Uint8Array(MAX_STATE_DUMP_CHUNKS * STATE_DUMP_CHUNK_BYTES + 1)), RangeError);
});

test("malformed dump chunks are refused", () => {
  for (const bytes of [Uint8Array.of(), Uint8Array.of(1, 2, 2, 0), Uint8Array.of(1, 0, 0, 0), Uint8Array.of(1, 0, 1, 7), Uint8Array.of(1, 0, 1)]) {
    assert.throws(() => decodeStateDumpChunk(bytes), ProtocolError);
  }
  assert.throws(() => decodeStateDumpChunk(Uint8Array.from([1, 0, 1, 0, ...new Uint8Array(STATE_DUMP_CHUNK_BYTES + 1)])), ProtocolError);
});

test("the bytes docs/PROTOCOL.md shows", () => {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
  assert.equal(hex(encodeChecksum(300, "00ff00ff00ff00ff")), "ac0201001030306666303066663030666630306666");
  assert.equal(hex(encodeChecksum(30, { coins: "b2", rng: "a1" })), "1e0205636f696e7302623203726e67026131");
});
