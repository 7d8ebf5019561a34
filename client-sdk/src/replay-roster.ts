import { FrameEventKind, decodeFrame, type PlayerInfo, type ReplayParticipant } from "../../src/protocol/index.ts";
import { toLockstepFrame } from "./frame-view.ts";
import type { FrameActionOf, FrameRosterEvent, LockstepFrame } from "./types.ts";

/**
 * Who held which slot at which frame, from a replay's participants. A slot is reused once its
 * player left, so the uid behind a slot depends on the frame: a participant holds its slot from
 * `joined_frame` through `left_frame` (the frame with its `LEFT` event) inclusive.
 */
export class ReplayRoster {
  /** Per slot, everyone who held it, in the order they took it. */
  readonly #bySlot = new Map<number, ReplayParticipant[]>();
  /** The roster at start: the fallback for a slot no participant covers (the list is bounded on the server). */
  readonly #atStart = new Map<number, string>();
  /** Frames in which a slot changed hands (one player's `LEFT`, then the next one's `JOINED`). */
  readonly #handovers = new Set<number>();

  constructor(participants: readonly ReplayParticipant[], players: readonly PlayerInfo[]) {
    for (const player of players) this.#atStart.set(player.slot, player.uid);
    for (const participant of participants) {
      const holders = this.#bySlot.get(participant.slot) ?? [];
      for (const previous of holders) {
        if (previous.left_frame === participant.joined_frame) this.#handovers.add(participant.joined_frame);
      }
      holders.push(participant);
      this.#bySlot.set(participant.slot, holders);
    }
  }

  /** The uid of whoever held `slot` at the start of `frame` (`slot-<n>` if nobody is known, as in a live match). */
  uidAt(slot: number, frame: number): string {
    return this.#holders(slot, frame)[0]?.uid ?? this.#atStart.get(slot) ?? `slot-${slot}`;
  }

  /** Decodes a frame's bytes with each entry's sender as of that frame. Throws a `ProtocolError` on bytes that do not decode. */
  decode<TAction>(bytes: Uint8Array, frame: number): LockstepFrame<TAction> {
    const decoded = toLockstepFrame<TAction>(bytes, (slot) => this.uidAt(slot, frame));
    return this.#handovers.has(frame) ? this.#reassign(decoded, bytes, frame) : decoded;
  }

  #holders(slot: number, frame: number): ReplayParticipant[] {
    const holders = this.#bySlot.get(slot);
    if (holders === undefined) return [];
    return holders.filter((holder) => holder.joined_frame <= frame && (holder.left_frame === null || holder.left_frame >= frame));
  }

  /**
   * In a frame where a slot changed hands, the entries before the `LEFT` event are the leaving
   * player's and those after it the newcomer's; the decoded frame lists actions and events
   * apart, so the entries are walked in arrival order to tell them apart.
   */
  #reassign<TAction>(decoded: LockstepFrame<TAction>, bytes: Uint8Array, frame: number): LockstepFrame<TAction> {
    const turn = new Map<number, number>();
    const actions: FrameActionOf<TAction>[] = [];
    const events: FrameRosterEvent[] = [];
    for (const entry of decodeFrame(bytes).entries) {
      const holders = this.#holders(entry.slot, frame);
      const index = turn.get(entry.slot) ?? 0;
      const uid = (holders[index] ?? holders.at(-1))?.uid ?? this.uidAt(entry.slot, frame);
      if (entry.type === "action") {
        actions.push({ ...decoded.actions[actions.length]!, uid });
      } else {
        events.push({ ...decoded.events[events.length]!, uid });
        if (entry.kind === FrameEventKind.LEFT) turn.set(entry.slot, index + 1);
      }
    }
    return { frame: decoded.frame, actions, events };
  }
}
