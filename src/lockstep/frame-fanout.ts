import { ClientState, type Client } from "@colyseus/core";
import { ColyseusCode } from "../protocol/colyseus-envelope.ts";

/** Largest binary message type that Colyseus encodes in one byte (a msgpack positive fixint). */
const MAX_ONE_BYTE_TYPE = 0x7f;

/**
 * Sends the same bytes, as Colyseus binary message `type`, to every client of a room: what
 * `Room#broadcastBytes` does, with the per-client work cut to one state check and one write.
 * The message is built once (a fresh buffer: the sockets keep it until their writes are
 * flushed); a client that has joined gets it at once, one still joining gets it queued by
 * Colyseus until it has (`Client#enqueueRaw`, as a broadcast would). Clients whose session
 * `except` has are skipped (without building another list every frame).
 */
export function sendBytesToAll(clients: readonly Client[], type: number, bytes: Uint8Array, except?: { has(sessionId: string): boolean }): void {
  if (type > MAX_ONE_BYTE_TYPE) throw new RangeError(`binary message type ${type} does not fit one byte`);
  const message = Buffer.allocUnsafe(bytes.byteLength + 2);
  message[0] = ColyseusCode.ROOM_DATA_BYTES;
  message[1] = type;
  message.set(bytes, 2);
  for (let i = 0; i < clients.length; i++) {
    const client = clients[i]!;
    if (except?.has(client.sessionId)) continue;
    if (client.state === ClientState.JOINED) client.raw(message);
    else client.enqueueRaw(message);
  }
}
