// What a bot sends for desync detection: after every checked frame, the hash of its state. Bots
// have no state, so every bot sends the same hash and every check agrees; what is measured is
// what checking costs the server, not what hashing costs a client.
import { BinaryMessage, encodeChecksum } from "colyseus-lockstep/protocol";

/** Colyseus's code for a message of raw bytes (see @colyseus/shared-types): `[code][type][payload]`. */
export const ROOM_DATA_BYTES = 17;

/** The hash every bot reports: 16 hex digits, the size of the SDK's `hashState`. */
export const BENCH_STATE_HASH = "9e3779b97f4a7c15";

/** Whether a client sends a checksum after frame `frame` when the room checks every `interval` frames (0: never). */
export function isChecksumFrame(frame: number, interval: number): boolean {
  return interval > 0 && frame % interval === 0;
}

/**
 * `sync_checksum` messages as they go on the wire, `[ROOM_DATA_BYTES][SYNC_CHECKSUM][payload]`,
 * encoded once per frame number and shared by every bot of the process (the rooms' frame numbers
 * are close, so a few recent frames cover them all). The buffers are never written after they
 * are built, so one may sit in several sockets' queues at once. At most `keep` are held; the
 * oldest goes first.
 */
export class ChecksumMessages {
  readonly #hash: string;
  readonly #keep: number;
  readonly #messages = new Map<number, Buffer>();

  constructor(hash: string = BENCH_STATE_HASH, keep = 64) {
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError("keep must be a positive integer");
    this.#hash = hash;
    this.#keep = keep;
  }

  /** Messages held now. */
  get size(): number {
    return this.#messages.size;
  }

  /** The message carrying the hash of frame `frame`. */
  for(frame: number): Buffer {
    const held = this.#messages.get(frame);
    if (held !== undefined) return held;
    const payload = encodeChecksum(frame, this.#hash);
    const message = Buffer.allocUnsafe(2 + payload.byteLength);
    message[0] = ROOM_DATA_BYTES;
    message[1] = BinaryMessage.SYNC_CHECKSUM;
    message.set(payload, 2);
    this.#messages.set(frame, message);
    if (this.#messages.size > this.#keep) this.#messages.delete(this.#messages.keys().next().value!);
    return message;
  }
}
