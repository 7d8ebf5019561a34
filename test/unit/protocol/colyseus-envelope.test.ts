import assert from "node:assert/strict";
import { test } from "node:test";
import { ColyseusCode, ColyseusEnvelope, MAX_MESSAGE_TYPE_BYTES, readEnvelope } from "../../../src/protocol/colyseus-envelope.ts";
import { ProtocolError } from "../../../src/protocol/protocol-error.ts";
import { messageHeader } from "../../support/raw-messages.ts";

const header = (code: number, type: string | number, requestId?: number): Uint8Array => Uint8Array.from(messageHeader(code, type, requestId));

const withPayload = (head: Uint8Array, ...payload: number[]): Uint8Array => Uint8Array.from([...head, ...payload]);

test("data, requests and raw bytes: the type and where the payload starts, as the SDK writes them", () => {
  const envelope = new ColyseusEnvelope();
  const data = withPayload(header(ColyseusCode.ROOM_DATA, "sync_action"), 0x80);
  readEnvelope(data, envelope);
  assert.deepEqual({ ...envelope }, { code: 13, modifiers: 0, requestId: undefined, type: "sync_action", payloadOffset: data.byteLength - 1 });

  for (const id of [0, 127, 200, 70_000, 2 ** 31]) {
    const request = withPayload(header(ColyseusCode.ROOM_REQUEST, "sync_request_reload_frames", id), 0x80);
    readEnvelope(request, envelope);
    assert.equal(envelope.requestId, id);
    assert.equal(envelope.type, "sync_request_reload_frames");
    assert.equal(envelope.payloadOffset, request.byteLength - 1);
  }

  const bytes = withPayload(header(ColyseusCode.ROOM_DATA_BYTES, 3), 1, 2, 3);
  readEnvelope(bytes, envelope);
  assert.equal(envelope.type, "3");
  assert.equal(envelope.payloadOffset, bytes.byteLength - 3);

  readEnvelope(withPayload(header(ColyseusCode.ROOM_DATA_BYTES, 300)), envelope);
  assert.equal(envelope.type, "300");
  readEnvelope(header(ColyseusCode.ROOM_DATA, "é-type"), envelope);
  assert.equal(envelope.type, "é-type");
});

test("protocol codes without a type: ping, leave, join; modifier bits are reported apart", () => {
  const envelope = new ColyseusEnvelope();
  for (const code of [ColyseusCode.PING, ColyseusCode.LEAVE_ROOM, ColyseusCode.JOIN_ROOM]) {
    readEnvelope(Uint8Array.of(code), envelope);
    assert.equal(envelope.code, code);
    assert.equal(envelope.type, undefined);
  }
  readEnvelope(Uint8Array.of(ColyseusCode.LEAVE_ROOM | 0x20), envelope);
  assert.equal(envelope.code, ColyseusCode.LEAVE_ROOM);
  assert.equal(envelope.modifiers, 0x20);
});

test("what a Colyseus client cannot produce is a ProtocolError", () => {
  const bad: Uint8Array[] = [
    new Uint8Array(0), // empty
    Uint8Array.of(ColyseusCode.ROOM_DATA), // no type
    Uint8Array.of(ColyseusCode.ROOM_DATA, 0xa0), // empty type name
    Uint8Array.of(ColyseusCode.ROOM_DATA, 0xa5, 0x61), // type name cut off
    Uint8Array.of(ColyseusCode.ROOM_DATA, 0xdb, 0xff, 0xff, 0xff, 0x7f), // a 2 GiB type name
    Uint8Array.of(ColyseusCode.ROOM_DATA, 0xcb, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f), // a fractional type (1.5)
    Uint8Array.of(ColyseusCode.ROOM_DATA, 0xa2, 0xff, 0xfe), // not UTF-8
    Uint8Array.of(ColyseusCode.ROOM_REQUEST, 0xcd, 0x01), // request id cut off
    withPayload(header(ColyseusCode.ROOM_DATA, "x".repeat(MAX_MESSAGE_TYPE_BYTES + 1))),
  ];
  for (const bytes of bad) assert.throws(() => readEnvelope(bytes, new ColyseusEnvelope()), ProtocolError, Buffer.from(bytes).toString("hex"));
});
