import { encode } from "@colyseus/schema";
import { ColyseusCode } from "../../src/protocol/colyseus-envelope.ts";

/**
 * Colyseus messages written byte by byte, as `@colyseus/sdk` frames them, so tests can send
 * what no well-behaved client would: any payload under any type, or broken envelopes.
 */
/** The header of a message: its code, the request id (requests only) and the type, encoded as the SDK does. */
export function messageHeader(code: number, type: string | number, requestId?: number): number[] {
  const buffer = new Uint8Array(256);
  const it = { offset: 1 };
  buffer[0] = code;
  if (requestId !== undefined) encode.number(buffer, requestId, it);
  if (typeof type === "string") encode.string(buffer, type, it);
  else encode.number(buffer, type, it);
  return [...buffer.subarray(0, it.offset)];
}

/** `ROOM_DATA`: `room.send(type, payload)` with `payload` already encoded (or none). */
export function dataMessage(type: string | number, payload?: Uint8Array): Uint8Array {
  return Uint8Array.from([...messageHeader(ColyseusCode.ROOM_DATA, type), ...(payload ?? [])]);
}

/** `ROOM_REQUEST`: `room.request(type, payload)` with request id `id`. */
export function requestMessage(id: number, type: string | number, payload?: Uint8Array): Uint8Array {
  return Uint8Array.from([...messageHeader(ColyseusCode.ROOM_REQUEST, type, id), ...(payload ?? [])]);
}

/** `ROOM_DATA_BYTES`: `room.sendBytes(type, bytes)`. */
export function bytesMessage(type: string | number, bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([...messageHeader(ColyseusCode.ROOM_DATA_BYTES, type), ...bytes]);
}

/** A Colyseus `PING`. */
export const PING_MESSAGE = Uint8Array.of(ColyseusCode.PING);
