import type { StandardSchemaV1 } from "@standard-schema/spec";
import { decodeAction, encodeAction } from "../protocol/action-codec.ts";
import { assertPlainMsgpack } from "../protocol/plain-msgpack.ts";
import { LockstepErrorCode, type LockstepErrorMessage } from "../protocol/messages.ts";
import { UNDECODED, type InputQueue } from "./input-queue.ts";
import type { LockstepOptions } from "./options.ts";
import type { LockstepPlayer } from "./roster.ts";

/**
 * What a room's `validateAction` hook returns: `true` or nothing to accept; `false` or a
 * reason to refuse (the sender gets `ACTION_REJECTED` with the reason).
 */
export type ActionVerdict = boolean | string | void;

/** The game's validation hook, bound to its room. */
export type ActionValidator<TAction> = (action: TAction, player: LockstepPlayer, frame: number) => ActionVerdict;

/** Outcome of {@link ActionIntake.admit}: accepted, or refused with an error and whether it counts as a strike. */
export type AdmitResult = { readonly accepted: true } | { readonly accepted: false; readonly error: LockstepErrorMessage; readonly strike: boolean };

const ACCEPTED: AdmitResult = { accepted: true };
const TYPE = "sync_action";

function refuse(code: LockstepErrorCode, message: string, strike: boolean): AdmitResult {
  return { accepted: false, strike, error: { code, message, type: TYPE } };
}

/**
 * Checks one incoming action against the room's limits, schema and rules, cheapest check
 * first, and queues it into the open frame if it passes. Malformed or oversized input counts
 * as a strike; a refusal by the game's own rules does not (an honest client can lose a race).
 */
export class ActionIntake<TAction> {
  readonly #options: LockstepOptions;
  readonly #queue: InputQueue<TAction>;
  readonly #schema: StandardSchemaV1<unknown, TAction> | undefined;
  readonly #validate: ActionValidator<TAction> | undefined;
  /** Only a schema or a validator needs the action's value at once; otherwise the bytes are checked, not decoded (see `admit`). */
  readonly #decodes: boolean;

  constructor(
    options: LockstepOptions,
    queue: InputQueue<TAction>,
    schema: StandardSchemaV1<unknown, TAction> | undefined,
    validate: ActionValidator<TAction> | undefined,
  ) {
    this.#options = options;
    this.#queue = queue;
    this.#schema = schema;
    this.#validate = validate;
    this.#decodes = schema !== undefined || validate !== undefined;
  }

  /**
   * Admits an action for `frame`. `payload` is the encoded action; `decoded` is passed when
   * Colyseus already decoded it (plain `room.send("sync_action", …)`, whose bytes the message
   * gate checked as plain data), saving a second decode. With an `actionSchema`, the bytes
   * queued for the frame are the schema's output, re-encoded. Without a schema or a validator
   * nothing needs the value: the bytes are checked to be one plain msgpack value, without
   * building it, and decoded later only if the room observes its frames (`onFrameClosed`).
   */
  admit(player: LockstepPlayer, frame: number, payload: Uint8Array, decoded?: { value: unknown }): AdmitResult {
    const options = this.#options;
    if (payload.byteLength > options.maxActionBytes) {
      return refuse(LockstepErrorCode.ACTION_TOO_LARGE, `action of ${payload.byteLength} bytes exceeds the limit of ${options.maxActionBytes}`, true);
    }
    if (this.#queue.actionCount(player.slot) >= options.maxActionsPerFrame) {
      return refuse(LockstepErrorCode.ACTION_LIMIT_REACHED, `at most ${options.maxActionsPerFrame} actions per player per frame`, true);
    }

    let value: unknown = UNDECODED;
    if (decoded !== undefined) {
      value = decoded.value;
    } else {
      try {
        // Plain data only: no msgpackr extension may build a cycle, a date or a typed array for the hooks or the other clients.
        assertPlainMsgpack(payload);
        if (this.#decodes) value = decodeAction(payload);
      } catch (error) {
        return refuse(LockstepErrorCode.ACTION_MALFORMED, `action is not one plain msgpack value: ${(error as Error).message}`, true);
      }
    }
    if (!this.#decodes) {
      this.#queue.pushAction(player.slot, player.uid, payload, value as TAction | typeof UNDECODED);
      return ACCEPTED;
    }

    let action = value as TAction;
    let relayed = payload;
    if (this.#schema !== undefined) {
      const result = this.#schema["~standard"].validate(value);
      if (result instanceof Promise) {
        return refuse(LockstepErrorCode.ACTION_INVALID, "the room's actionSchema is asynchronous; only synchronous schemas are supported", false);
      }
      if (result.issues !== undefined) {
        const issues = result.issues.map((issue) => issue.message).join("; ");
        return refuse(LockstepErrorCode.ACTION_INVALID, `action does not match the schema: ${issues}`, true);
      }
      action = result.value;
      // What the other clients receive is what the schema accepted (extra keys stripped,
      // values coerced), never the sender's original bytes.
      try {
        relayed = encodeAction(action);
      } catch (error) {
        return refuse(LockstepErrorCode.ACTION_INVALID, `the schema's output cannot be encoded: ${(error as Error).message}`, false);
      }
      if (relayed.byteLength > options.maxActionBytes) {
        return refuse(
          LockstepErrorCode.ACTION_TOO_LARGE,
          `action of ${relayed.byteLength} bytes (as accepted by the schema) exceeds the limit of ${options.maxActionBytes}`,
          true,
        );
      }
    }

    if (this.#validate !== undefined) {
      const verdict = this.#validate(action, player, frame);
      if (verdict === false || typeof verdict === "string") {
        return refuse(LockstepErrorCode.ACTION_REJECTED, verdict === false ? "action rejected by the room" : verdict, false);
      }
    }

    this.#queue.pushAction(player.slot, player.uid, relayed, action);
    return ACCEPTED;
  }
}
