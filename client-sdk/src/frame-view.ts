import { decodeAction, decodeFrame } from "../../src/protocol/index.ts";
import type { FrameActionOf, FrameRosterEvent, LockstepFrame } from "./types.ts";

/** Decodes a frame's bytes into what the game sees: decoded actions with the senders' uids. */
export function toLockstepFrame<TAction>(bytes: Uint8Array, uidOfSlot: (slot: number) => string): LockstepFrame<TAction> {
  const decoded = decodeFrame(bytes);
  const actions: FrameActionOf<TAction>[] = [];
  const events: FrameRosterEvent[] = [];
  for (const entry of decoded.entries) {
    if (entry.type === "action") {
      actions.push({ slot: entry.slot, uid: uidOfSlot(entry.slot), action: decodeAction<TAction>(entry.payload) });
    } else {
      events.push({ slot: entry.slot, uid: uidOfSlot(entry.slot), kind: entry.kind });
    }
  }
  return { frame: decoded.frame, actions, events };
}
