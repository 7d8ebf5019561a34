import type { FrameEventKind } from "../protocol/frame-codec.ts";
import { decodeAction } from "../protocol/action-codec.ts";
import { UNDECODED, type QueuedEntry } from "./input-queue.ts";

/** A frame as the server-side observer hook sees it: decoded actions, with the sender's uid. */
export interface ClosedFrame<TAction> {
  readonly frame: number;
  /** Actions in server arrival order. */
  readonly actions: readonly { readonly slot: number; readonly uid: string; readonly action: TAction }[];
  /** Roster events of this frame, in arrival order. */
  readonly events: readonly { readonly slot: number; readonly uid: string; readonly kind: FrameEventKind }[];
}

/** Builds the observer's view of a frame; only called when the room has an `onFrameClosed` hook. */
export function toClosedFrame<TAction>(frame: number, entries: readonly QueuedEntry<TAction>[]): ClosedFrame<TAction> {
  const actions: { slot: number; uid: string; action: TAction }[] = [];
  const events: { slot: number; uid: string; kind: FrameEventKind }[] = [];
  for (const entry of entries) {
    if (entry.type === "action") {
      actions.push({ slot: entry.slot, uid: entry.uid, action: entry.action === UNDECODED ? decodeAction<TAction>(entry.payload) : entry.action });
    } else events.push({ slot: entry.slot, uid: entry.uid, kind: entry.kind });
  }
  return { frame, actions, events };
}
