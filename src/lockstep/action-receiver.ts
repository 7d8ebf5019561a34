import type { Client } from "@colyseus/core";
import { encodeAction } from "../protocol/action-codec.ts";
import { ControlMessage, LockstepErrorCode, type MatchPhase } from "../protocol/messages.ts";
import type { ActionIntake } from "./action-intake.ts";
import type { ClientPolicy } from "./client-policy.ts";
import type { FrameScheduler } from "./frame-scheduler.ts";
import type { LockstepMetrics } from "./metrics.ts";
import type { LockstepPlayer, Roster } from "./roster.ts";
import type { SpectatorGallery } from "./spectator-gallery.ts";

/** What an {@link ActionReceiver} works with: the room's own parts, fixed for its life. */
export interface ActionReceiverParts<TAction> {
  readonly policy: ClientPolicy;
  readonly roster: Roster;
  readonly gallery: SpectatorGallery;
  readonly intake: ActionIntake<TAction>;
  readonly metrics: LockstepMetrics | undefined;
  /** The room's frame clock: the frame an accepted action joins is its next frame. */
  readonly scheduler: FrameScheduler;
}

/**
 * A room's path for actions, from the message gate to the open frame: the sender's seat, the
 * match's phase, the intake's checks, the counts. It is an object of its own, not methods of
 * the room, because a Colyseus `Room` is a dictionary-mode object (its constructor defines
 * accessors on the instance), where every field read is a hash lookup, and this path runs for
 * every input of every player. The room keeps {@link phase} and {@link scheduler} in step.
 */
export class ActionReceiver<TAction> {
  /** The match's phase: actions are accepted while it is `running`. */
  phase: MatchPhase = "waiting";
  /** The room's frame clock (a stored match that resumes gets a new one). */
  scheduler: FrameScheduler;
  readonly #policy: ClientPolicy;
  readonly #roster: Roster;
  readonly #gallery: SpectatorGallery;
  readonly #intake: ActionIntake<TAction>;
  readonly #metrics: LockstepMetrics | undefined;

  constructor(parts: ActionReceiverParts<TAction>) {
    this.#policy = parts.policy;
    this.#roster = parts.roster;
    this.#gallery = parts.gallery;
    this.#intake = parts.intake;
    this.#metrics = parts.metrics;
    this.scheduler = parts.scheduler;
  }

  /**
   * The sender's seat, if its messages may be processed (its rate and envelope were checked by
   * the `MessageGate`). A spectator is told it may not play (`type`: what it sent).
   */
  seatOf(client: Client, type?: string): LockstepPlayer | undefined {
    if (!this.#policy.accepts(client.sessionId)) return undefined;
    const player = this.#roster.bySession(client.sessionId);
    if (player === undefined && type !== undefined && this.#gallery.has(client.sessionId)) {
      this.#policy.refuse(
        client,
        { code: LockstepErrorCode.SPECTATOR_CANNOT_PLAY, type, message: `spectators cannot send ${type}: they watch without a seat` },
        false,
      );
    }
    return player;
  }

  /** A binary `sync_action`: `payload` is the action's bytes as sent. */
  readonly receiveBytes = (client: Client, payload: Uint8Array): void => {
    this.#receive(client, payload, undefined);
  };

  /** A `sync_action` sent with a plain Colyseus `send`: Colyseus decoded it already. */
  readonly receiveDecoded = (client: Client, message: unknown): void => {
    this.#receive(client, undefined, message);
  };

  #receive(client: Client, payload: Uint8Array | undefined, decoded: unknown): void {
    const player = this.seatOf(client, ControlMessage.SYNC_ACTION);
    if (player === undefined) return;
    if (this.phase !== "running") {
      player.actionsRefused++;
      this.#policy.refuse(
        client,
        { code: LockstepErrorCode.MATCH_NOT_RUNNING, type: ControlMessage.SYNC_ACTION, message: `the match is ${this.phase}` },
        false,
      );
      return;
    }
    // A plain Colyseus `send` arrives decoded: re-encode once so every client gets the same compact bytes.
    const bytes = payload ?? encodeAction(decoded);
    const result = this.#intake.admit(player, this.scheduler.nextFrame, bytes, payload === undefined ? { value: decoded } : undefined);
    const metrics = this.#metrics;
    if (result.accepted) {
      player.actionsAccepted++;
      if (metrics !== undefined) metrics.actionsAccepted++;
    } else {
      player.actionsRefused++;
      metrics?.refused(result.error.code);
      this.#policy.refuse(client, result.error, result.strike);
    }
  }
}
