// What a bot reads of a frame: its number, and where its own input is (to time input → frame).
// Bytes are read in place, with no reader object or view allocated per frame, so that a bot
// costs less than the server it measures.
import type { BotStats } from "./bot-stats.ts";

/** Unsigned LEB128 at `bytes[at.offset]`; advances `at.offset`. */
function varuint(bytes: Uint8Array, at: { offset: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at.offset++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
    shift += 7;
  }
}

/** Big-endian u32 at `offset`. */
function u32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

const cursor = { offset: 0 };

/** A lockstep frame (see docs/PROTOCOL.md) starting at `offset`; the bots' actions are msgpack bin8 (two header bytes). Returns the frame's number. */
export function scanLockstepFrame(bytes: Uint8Array, offset: number, botId: number, stats: BotStats, now: number): number {
  cursor.offset = offset;
  const frame = varuint(bytes, cursor);
  stats.frame(frame, bytes.byteLength, now);
  const count = varuint(bytes, cursor);
  for (let i = 0; i < count; i++) {
    const header = varuint(bytes, cursor);
    if (header % 2 === 1) {
      cursor.offset++;
      continue;
    }
    const length = varuint(bytes, cursor);
    const input = cursor.offset + 2;
    if (u32(bytes, input) === botId) stats.seen(u32(bytes, input + 4), now);
    cursor.offset += length;
  }
  return frame;
}

/** Just the number of the lockstep frame starting at `offset`: all a spectator bot reads. */
export function lockstepFrameNumber(bytes: Uint8Array, offset: number): number {
  cursor.offset = offset;
  return varuint(bytes, cursor);
}

/** A relay frame: [u32 LE frame][u8 count], then [u8 slot][u8 length][input] per input. */
export function scanRelayFrame(bytes: Uint8Array, botId: number, stats: BotStats, now: number): void {
  const frame = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  stats.frame(frame, bytes.byteLength, now);
  const count = bytes[4]!;
  let offset = 5;
  for (let i = 0; i < count; i++) {
    const length = bytes[offset + 1]!;
    if (u32(bytes, offset + 2) === botId) stats.seen(u32(bytes, offset + 6), now);
    offset += 2 + length;
  }
}
