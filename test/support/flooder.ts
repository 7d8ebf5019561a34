/**
 * A hostile client in its own process (so its work does not slow the server under test):
 * joins a room by id, says it is ready, waits for the match to start, then sends one kind of
 * traffic as fast as the socket takes it until the server closes the connection or the time
 * limit passes. Prints one JSON line: `{ kind, sent, code, ms }`.
 *
 *   node --import tsx test/support/flooder.ts <url> <roomId> <kind> [maxMs]
 *
 * Kinds: `ping` (Colyseus PING), `ws-ping` (WebSocket ping frames), `unknown` (a message type
 * the room does not have), `request` (requests of an unknown type), `malformed` (a payload
 * that is not msgpack), `big` (valid 3.9 KiB messages); and `slow-reader`, which stops reading
 * its socket and asks for the whole frame log twice a second (within the reload rate), as a
 * client that wants the server to hold ever more data for it would.
 */
import type { WebSocket as NodeWebSocket } from "ws";
import { encodeAction } from "../../src/protocol/action-codec.ts";
import { ControlMessage } from "../../src/protocol/messages.ts";
import { PING_MESSAGE, dataMessage, requestMessage } from "./raw-messages.ts";

/** Messages written per turn of the event loop. */
const BURST = 200;
/** Stop writing while this much is still queued locally: the flood is limited by the server, not by this process's memory. */
const MAX_QUEUED_BYTES = 1024 * 1024;

const [url, roomId, kind, maxMsArgument] = process.argv.slice(2);
if (url === undefined || roomId === undefined || kind === undefined) throw new Error("usage: flooder.ts <url> <roomId> <kind> [maxMs]");
const maxMs = Number(maxMsArgument ?? 5000);

// The SDK takes the global WebSocket (undici's on Node 22) if there is one; `ws` can send ping frames.
delete (globalThis as { WebSocket?: unknown }).WebSocket;
const { Client } = await import("@colyseus/sdk");
const room = await new Client(url).joinById(roomId);
const socket = (room.connection.transport as unknown as { ws: NodeWebSocket }).ws;

const big = dataMessage(ControlMessage.ROOM_PREPARE, encodeAction("x".repeat(3900)));
const messages: Record<string, (i: number) => Uint8Array | "ws-ping"> = {
  ping: () => PING_MESSAGE,
  "ws-ping": () => "ws-ping",
  unknown: () => dataMessage("nope", encodeAction({ hello: "world" })),
  request: (i) => requestMessage(i, "nope"),
  malformed: () => dataMessage(ControlMessage.SYNC_ACTION, Uint8Array.of(0xc1, 0xc1)),
  big: () => big,
  "slow-reader": () => PING_MESSAGE,
};
const next = messages[kind];
if (next === undefined) throw new Error(`unknown kind ${kind}`);

let code: number | undefined;
socket.on("close", (closeCode) => (code = closeCode));
await new Promise<void>((resolve) => {
  room.onMessage(ControlMessage.MATCH_START, () => resolve());
  room.onMessage("*", () => undefined);
  room.send(ControlMessage.ROOM_PREPARE);
});

const started = performance.now();
let sent = 0;
if (kind === "slow-reader") {
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  await new Promise<void>((resolve) => {
    const ask = setInterval(() => {
      if (code !== undefined || performance.now() - started > maxMs || socket.readyState !== socket.OPEN) {
        clearInterval(ask);
        resolve();
        return;
      }
      socket.send(requestMessage(++sent, ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, encodeAction({ start_frame: 0, request_id: sent })));
    }, 500);
  });
}
await new Promise<void>((resolve) => {
  const burst = (): void => {
    if (code !== undefined || performance.now() - started > maxMs || kind === "slow-reader") return resolve();
    if (socket.bufferedAmount < MAX_QUEUED_BYTES) {
      for (let i = 0; i < BURST && socket.readyState === socket.OPEN; i++) {
        const message = next(sent + 1);
        if (message === "ws-ping") socket.ping();
        else socket.send(message);
        sent++;
      }
    }
    setImmediate(burst);
  };
  burst();
});
const ms = Math.round(performance.now() - started);
if (code === undefined) await new Promise<void>((resolve) => setTimeout(resolve, 1000));
console.log(JSON.stringify({ kind, sent, code: code ?? null, ms }));
process.exit(0);
