import type { Client } from "@colyseus/core";
import { ControlMessage, LockstepCloseCode, LockstepErrorCode, type LockstepErrorMessage } from "../protocol/messages.ts";
import { ClientGuard } from "./client-guard.ts";
import type { LockstepOptions } from "./options.ts";

/** Error code of `ws` for a client message over `maxPayload` (it then closes the socket with 1009). */
const WS_MESSAGE_TOO_BIG = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** The part of Colyseus's message context a refusal uses: set when the client called `room.request`. */
export interface RequestReply {
  readonly id?: number;
  reject(reason?: unknown): unknown;
}

/**
 * How a room treats each client's messages: per-session rate and strike budgets, refusals
 * with a clear error, and the list of sessions closed as abusive (which get no reconnection
 * window and leave as "kicked").
 */
export class ClientPolicy {
  readonly #options: LockstepOptions;
  readonly #guards = new Map<string, ClientGuard>();
  readonly #kicked = new Set<string>();

  constructor(options: LockstepOptions) {
    this.#options = options;
  }

  /** Starts budgets for a session (on join, or for a seat restored from a stored match). */
  open(sessionId: string): void {
    this.#guards.set(sessionId, new ClientGuard(this.#options, performance.now()));
  }

  /** Forgets a session that left. */
  close(sessionId: string): void {
    this.#guards.delete(sessionId);
  }

  /** The session's budgets (it must be open). */
  guard(sessionId: string): ClientGuard {
    return this.#guards.get(sessionId)!;
  }

  isKicked(sessionId: string): boolean {
    return this.#kicked.has(sessionId);
  }

  /** Marks a session as removed for good (operator kick, abuse). */
  kick(sessionId: string): void {
    this.#kicked.add(sessionId);
  }

  /** True, once, if the session was kicked: its leave is then reported as `kicked`. */
  takeKicked(sessionId: string): boolean {
    return this.#kicked.delete(sessionId);
  }

  /**
   * `ws` closes a client whose message exceeds `maxPayload` before any room code runs; the
   * room only sees the socket's error. Marking the session makes that close final (no
   * reconnection window) and reported as a kick.
   */
  watch(client: Client): void {
    client.ref.on("error", (error: { code?: string }) => {
      if (error?.code === WS_MESSAGE_TOO_BIG) this.#kicked.add(client.sessionId);
    });
  }

  /**
   * True if a message of this client may be processed: the session is open, not kicked, and
   * within its message rate (otherwise the client is told, and it counts as a strike).
   */
  admit(client: Client, type: string, reply?: RequestReply): boolean {
    const guard = this.#guards.get(client.sessionId);
    if (guard === undefined || this.#kicked.has(client.sessionId)) return false;
    const now = performance.now();
    if (guard.messages.take(now)) return true;
    this.refuse(client, {
      code: LockstepErrorCode.RATE_LIMITED,
      type,
      message: `more than ${this.#options.maxMessagesPerSecond} messages per second`,
      details: { retry_after_ms: guard.messages.msUntilToken(now) },
    }, true, reply);
    return false;
  }

  /**
   * Tells the client why its message was refused (as a request rejection when it asked with
   * `room.request`, else as `lockstep_error`); on a strike past the budget, closes it as abusive (4429).
   */
  refuse(client: Client, error: LockstepErrorMessage, strike: boolean, reply?: RequestReply): void {
    if (reply?.id !== undefined) reply.reject(error);
    else client.send(ControlMessage.LOCKSTEP_ERROR, error);
    if (!strike) return;
    const guard = this.#guards.get(client.sessionId);
    if (guard !== undefined && guard.strike(performance.now())) {
      this.#kicked.add(client.sessionId);
      client.leave(LockstepCloseCode.ABUSE, "too many refused messages");
    }
  }
}
