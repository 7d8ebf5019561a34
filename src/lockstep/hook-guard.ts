import type { ActionValidator } from "./action-intake.ts";

/**
 * Runs a game's hooks so that one that throws neither stops the frame clock nor crashes the
 * process: the error is reported (the room sends it to `onUncaughtException`) and the hook's
 * effect is skipped.
 */
export class HookGuard {
  readonly #report: (hook: string, error: Error) => void;

  constructor(report: (hook: string, error: Error) => void) {
    this.#report = report;
  }

  /** Calls `call`; a throw is reported as `hook`'s. */
  run(hook: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#report(hook, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** `validateAction` bound to its room, with a throw turned into a refusal (the sender is not at fault). */
  validator<TAction>(validate: ActionValidator<TAction> | undefined, room: object): ActionValidator<TAction> | undefined {
    if (validate === undefined) return undefined;
    return (action, player, frame) => {
      try {
        return validate.call(room, action, player, frame);
      } catch (error) {
        this.#report("validateAction", error instanceof Error ? error : new Error(String(error)));
        return "the room failed to validate this action";
      }
    };
  }
}
