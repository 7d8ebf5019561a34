import { ClientState, type Client } from "@colyseus/core";
import { ColyseusCode } from "../protocol/colyseus-envelope.ts";
import { frameNumberOf } from "../protocol/frame-codec.ts";
import { BinaryMessage } from "../protocol/messages.ts";
import type { FrameCloser } from "./frame-closer.ts";
import type { FrameLog } from "./frame-log.ts";
import type { LockstepMetrics } from "./metrics.ts";
import type { OutgoingTraffic } from "./outgoing-traffic.ts";
import type { SpectatorGallery } from "./spectator-gallery.ts";

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

/** What a {@link FrameFanout} sends with and reports to: the room's own parts. */
export interface FrameFanoutParts {
  /** The room's clients (Colyseus's `room.clients`: one array for the room's life). */
  readonly clients: readonly Client[];
  readonly gallery: SpectatorGallery;
  readonly log: FrameLog;
  readonly outgoing: OutgoingTraffic;
  readonly metrics: LockstepMetrics | undefined;
}

/**
 * Sends each published frame: to the players (and spectators with no delay) at once, to delayed
 * spectators the frame their delay lets them see, then cuts off clients whose send queue broke
 * its bound, and counts. An object of its own, like `ActionReceiver`, so that the path every
 * frame takes reads fields of a fast object rather than of the dictionary-mode `Room`.
 */
export class FrameFanout {
  /** The room's frame closer, for when each frame's timer fired (set once it exists). */
  closer: Pick<FrameCloser<unknown>, "firedAt"> | undefined;
  readonly #clients: readonly Client[];
  readonly #gallery: SpectatorGallery;
  readonly #log: FrameLog;
  readonly #outgoing: OutgoingTraffic;
  readonly #metrics: LockstepMetrics | undefined;

  constructor(parts: FrameFanoutParts) {
    this.#clients = parts.clients;
    this.#gallery = parts.gallery;
    this.#log = parts.log;
    this.#outgoing = parts.outgoing;
    this.#metrics = parts.metrics;
  }

  /** Sends a frame's stored bytes (the publisher's `send`). */
  readonly send = (bytes: Uint8Array): void => {
    const clients = this.#clients;
    const gallery = this.#gallery;
    if (gallery.size === 0) {
      sendBytesToAll(clients, BinaryMessage.SYNC_FRAME, bytes);
    } else {
      // The players first: spectators' sends come after theirs, never before.
      sendBytesToAll(clients, BinaryMessage.SYNC_FRAME, bytes, gallery);
      const visible = this.#log.get(gallery.visibleFrame(frameNumberOf(bytes)));
      if (visible !== undefined) sendBytesToAll(gallery.clients, BinaryMessage.SYNC_FRAME, visible);
    }
    this.#outgoing.afterBroadcast(clients);
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      metrics.framesSent += clients.length;
      metrics.frameBytesSent += bytes.byteLength * clients.length;
      const firedAt = this.closer?.firedAt(frameNumberOf(bytes));
      if (firedAt !== undefined) metrics.recordFanout(performance.now() - firedAt);
    }
  };
}
