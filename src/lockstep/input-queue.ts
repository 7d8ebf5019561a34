import type { FrameEventKind } from "../protocol/frame-codec.ts";

/** The value of an action nobody needed decoded yet: its bytes are decoded when (and if) a frame observer asks. */
export const UNDECODED: unique symbol = Symbol("undecoded action");

/** An accepted action waiting for its frame to close. */
export interface QueuedAction<TAction> {
  readonly type: "action";
  readonly slot: number;
  readonly uid: string;
  /** The bytes exactly as the client sent them: what every client will receive. */
  readonly payload: Uint8Array;
  /** The decoded action, for the server-side frame observer, or {@link UNDECODED} (decode `payload` then). */
  readonly action: TAction | typeof UNDECODED;
  /** When it arrived (`performance.now()`), for the input-to-frame delay metric. */
  readonly receivedAt: number;
}

/** A roster change waiting for its frame to close. */
export interface QueuedEvent {
  readonly type: "event";
  readonly slot: number;
  readonly uid: string;
  readonly kind: FrameEventKind;
}

/** An entry of the open frame. */
export type QueuedEntry<TAction> = QueuedAction<TAction> | QueuedEvent;

/**
 * The open frame: everything accepted since the last frame closed, in server arrival order,
 * plus how many actions each slot has in it (for `maxActionsPerFrame`).
 * Nakama's rule holds here: what arrived before the tick belongs to that frame, later to the next.
 */
export class InputQueue<TAction> {
  #entries: QueuedEntry<TAction>[] = [];
  #spare: QueuedEntry<TAction>[] = [];
  readonly #actionsBySlot: Uint16Array;

  constructor(slotCount: number) {
    this.#actionsBySlot = new Uint16Array(slotCount);
  }

  /** Number of actions `slot` has in the open frame. */
  actionCount(slot: number): number {
    return this.#actionsBySlot[slot]!;
  }

  /** Appends an accepted action. */
  pushAction(slot: number, uid: string, payload: Uint8Array, action: TAction | typeof UNDECODED): void {
    this.#entries.push({ type: "action", slot, uid, payload, action, receivedAt: performance.now() });
    this.#actionsBySlot[slot]!++;
  }

  /** Appends a roster event. */
  pushEvent(slot: number, uid: string, kind: FrameEventKind): void {
    this.#entries.push({ type: "event", slot, uid, kind });
  }

  /**
   * Hands over the open frame's entries and starts an empty one. The returned array is reused
   * two frames later: consume it before the next-but-one call.
   */
  take(): readonly QueuedEntry<TAction>[] {
    const taken = this.#entries;
    this.#entries = this.#spare;
    this.#entries.length = 0;
    this.#spare = taken;
    this.#actionsBySlot.fill(0);
    return taken;
  }
}
