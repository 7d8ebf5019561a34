import { ByteReader } from "./byte-reader.ts";
import type { ByteWriter } from "./byte-writer.ts";
import { ProtocolError, ProtocolErrorCode } from "./protocol-error.ts";

/**
 * Roster changes that happen during a match. They travel inside frames, in server arrival order
 * with the actions, so every client applies them at the same point of the simulation.
 */
export const FrameEventKind = {
  /** A player took the slot (late join). */
  JOINED: 0,
  /** The player left for good; the slot is free again. */
  LEFT: 1,
  /** The player's connection dropped; the slot is held for the reconnection window. */
  DROPPED: 2,
  /** The dropped player is back. */
  RECONNECTED: 3,
} as const;

/** One of {@link FrameEventKind}'s values. */
export type FrameEventKind = (typeof FrameEventKind)[keyof typeof FrameEventKind];

const LAST_EVENT_KIND = FrameEventKind.RECONNECTED;

/** One input of one player, as the server received it: `payload` holds the encoded action. */
export interface FrameAction {
  readonly type: "action";
  readonly slot: number;
  readonly payload: Uint8Array;
}

/** A roster change inside a frame. */
export interface FrameEvent {
  readonly type: "event";
  readonly slot: number;
  readonly kind: FrameEventKind;
}

/** An entry of a frame: an action or an event, in server arrival order. */
export type FrameEntry = FrameAction | FrameEvent;

/** A decoded frame. */
export interface Frame {
  /** The frame number: consecutive integers, never skipped or repeated. */
  readonly frame: number;
  /** Actions and events in the order the server received them. */
  readonly entries: readonly FrameEntry[];
}

/**
 * Writes one frame:
 *
 * ```text
 * frame        varuint   frame number
 * entry_count  varuint
 * entries      entry_count × entry
 * entry        varuint header = slot × 2 + is_event, then
 *              action: varuint length, `length` payload bytes
 *              event:  u8 kind
 * ```
 *
 * An empty frame is the frame number plus one zero byte.
 */
export function encodeFrame(writer: ByteWriter, frame: Frame): ByteWriter {
  writer.varuint(frame.frame).varuint(frame.entries.length);
  for (const entry of frame.entries) {
    if (entry.type === "action") {
      writer
        .varuint(entry.slot * 2)
        .varuint(entry.payload.byteLength)
        .bytes(entry.payload);
    } else {
      writer.varuint(entry.slot * 2 + 1).u8(entry.kind);
    }
  }
  return writer;
}

/**
 * Reads one frame starting at the reader's position and leaves the reader just after it, so
 * frames can be read back to back from a reload chunk. Action payloads are views into the input.
 */
export function readFrame(reader: ByteReader): Frame {
  const frame = reader.varuint();
  const count = reader.varuint();
  // Each entry takes at least two bytes: a count larger than the rest of the input is a lie.
  if (count * 2 > reader.end - reader.offset) {
    throw new ProtocolError(ProtocolErrorCode.TRUNCATED, `frame ${frame} claims ${count} entries in too few bytes`);
  }
  const entries: FrameEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const header = reader.varuint();
    const slot = Math.floor(header / 2);
    if (header % 2 === 0) {
      const length = reader.varuint();
      entries[i] = { type: "action", slot, payload: reader.bytesView(length) };
    } else {
      const kind = reader.u8();
      if (kind > LAST_EVENT_KIND) {
        throw new ProtocolError(ProtocolErrorCode.INVALID_VALUE, `unknown frame event kind ${kind}`);
      }
      entries[i] = { type: "event", slot, kind: kind as FrameEventKind };
    }
  }
  return { frame, entries };
}

/** The frame number of an encoded frame, read without decoding its entries. */
export function frameNumberOf(bytes: Uint8Array): number {
  return new ByteReader(bytes).varuint();
}

/** Decodes a `sync_frame` payload: exactly one frame, nothing after it. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const reader = new ByteReader(bytes);
  const frame = readFrame(reader);
  reader.expectEnd();
  return frame;
}
