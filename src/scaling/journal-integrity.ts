import { frameNumberOf } from "../protocol/frame-codec.ts";
import { JournalError, JournalErrorCode } from "./match-store.ts";

/**
 * Checks that stored frames are exactly frames `firstFrame`, `firstFrame + 1`, … (each frame's
 * bytes carry its own number), so that a journal with a hole, or written at drifting
 * positions, is refused instead of being resumed with numbers that contradict what clients saw.
 */
export function verifyJournal(roomId: string, firstFrame: number, frames: readonly Uint8Array[]): void {
  for (let index = 0; index < frames.length; index++) {
    const expected = firstFrame + index;
    let stored: number;
    try {
      stored = frameNumberOf(frames[index]!);
    } catch {
      throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, roomId, `the bytes stored for frame ${expected} are not a frame`);
    }
    if (stored > expected) {
      throw new JournalError(JournalErrorCode.JOURNAL_HOLE, roomId, `frame ${expected} is missing (the next stored frame is ${stored})`);
    }
    if (stored < expected) {
      throw new JournalError(JournalErrorCode.JOURNAL_CORRUPT, roomId, `frame ${stored} is stored where frame ${expected} belongs`);
    }
  }
}
