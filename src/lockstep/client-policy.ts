import type { Client } from "@colyseus/core";
import { ControlMessage, LockstepCloseCode, LockstepErrorCode, type LockstepErrorMessage } from "../protocol/messages.ts";
import { ClientGuard } from "./client-guard.ts";
import type { LockstepOptions } from "./options.ts";

/** Error code of `ws` for a client message over `maxPayload` (it then closes the socket with 1009). */
const WS_MESSAGE_TOO_BIG = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/**
 * How long a client closed as abusive has to complete the close handshake before its socket
 * is destroyed: a flooder that ignores the close frame must not keep the server parsing its
 * traffic for the WebSocket library's 30-second close timeout.
 */
export const ABUSE_CLOSE_GRACE_MS = 1000;

/** The part of Colyseus's message context a refusal uses: set when the client called `room.request`. */
export interface RequestReply {
  readonly id?: number;
  reject(reason?: unknown): unknown;
}

/**
 * How a room treats each client's messages: per-session budgets (every message counts, of any
 * type, WebSocket pings included), refusals with a clear error, strikes, and the sessions closed
 * as abusive (which get no reconnection window and leave as "kicked").
 */
export class ClientPolicy {
  readonly #options: LockstepOptions;
  readonly #guards = new Map<string, ClientGuard>();
  readonly #kicked = new Set<string>();

  readonly #onExpel: (() => void) | undefined;

  /** `onExpel` is told of every client closed as abusive (the metrics count it). */
  constructor(options: LockstepOptions, onExpel?: () => void) {
    this.#options = options;
    this.#onExpel = onExpel;
  }

  /** Starts budgets for a session (on join, or for a seat restored from a stored match). */
  open(sessionId: string): void {
    this.#guards.set(sessionId, new ClientGuard(this.#options, performance.now()));
  }

  /** Forgets a session that left. */
  close(sessionId: string): void {
    this.#guards.delete(sessionId);
  }

  /** The session's budgets, if it is open. */
  guard(sessionId: string): ClientGuard | undefined {
    return this.#guards.get(sessionId);
  }

  /** True if the session is open and was not closed as abusive or kicked: its messages may be processed. */
  accepts(sessionId: string): boolean {
    return this.#guards.has(sessionId) && !this.#wasKicked(sessionId);
  }

  /** The kicked set is empty in all but a few moments of a room's life: the size check skips the lookup then. */
  #wasKicked(sessionId: string): boolean {
    return this.#kicked.size !== 0 && this.#kicked.has(sessionId);
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
   * Watches a connection for what never reaches a message handler: `ws` closes a client whose
   * message exceeds `maxPayload` (1009) before any room code runs, and answers WebSocket pings
   * by itself. The first makes the close final (no reconnection window, reported as a kick);
   * the second counts against the message budget like any message.
   */
  watch(client: Client): void {
    client.ref.on("error", (error: { code?: string }) => {
      if (error?.code === WS_MESSAGE_TOO_BIG) this.#kicked.add(client.sessionId);
    });
    client.ref.on("ping", () => {
      const guard = this.#guards.get(client.sessionId);
      if (guard === undefined || this.#kicked.has(client.sessionId)) return;
      if (!guard.pings.take(performance.now())) this.expel(client, "WebSocket ping flood");
      else this.spend(client, "ping");
    });
  }

  /**
   * Counts one message of a client against its rate. Returns false when the rate is exceeded:
   * the client is told (`RATE_LIMITED`), it counts as a strike, and the message must be dropped.
   */
  spend(client: Client, type: string, reply?: RequestReply): boolean {
    const guard = this.#guards.get(client.sessionId);
    if (guard === undefined) return false;
    return this.#spendFrom(guard, client, type, reply);
  }

  /**
   * {@link accepts} and {@link spend} in one lookup, for the hot path: false, silently, if the
   * session may not send; false with `RATE_LIMITED` if it is over its rate; true otherwise.
   */
  spendIfAccepted(client: Client, type: string): boolean {
    const guard = this.#guards.get(client.sessionId);
    if (guard === undefined || this.#wasKicked(client.sessionId)) return false;
    return this.#spendFrom(guard, client, type);
  }

  #spendFrom(guard: ClientGuard, client: Client, type: string, reply?: RequestReply): boolean {
    const now = performance.now();
    if (guard.messages.take(now)) return true;
    this.refuse(
      client,
      {
        code: LockstepErrorCode.RATE_LIMITED,
        type,
        message: `more than ${this.#options.maxMessagesPerSecond} messages per second`,
        details: { retry_after_ms: guard.messages.msUntilToken(now) },
      },
      true,
      reply,
    );
    return false;
  }

  /**
   * Tells the client why its message was refused (as a request rejection when it asked with
   * `room.request`, else as `lockstep_error`); on a strike past the budget, closes it as abusive (4429).
   */
  refuse(client: Client, error: LockstepErrorMessage, strike: boolean, reply?: RequestReply): void {
    if (this.#kicked.has(client.sessionId)) return;
    if (reply?.id !== undefined) reply.reject(error);
    else client.send(ControlMessage.LOCKSTEP_ERROR, error);
    if (!strike) return;
    const guard = this.#guards.get(client.sessionId);
    if (guard?.strike(performance.now())) this.expel(client, "too many refused messages");
  }

  /**
   * Closes a client as abusive: code 4429, no reconnection window, reported as `kicked`. Its
   * later messages are dropped unread, and its socket is destroyed if it has not completed the
   * close handshake within {@link ABUSE_CLOSE_GRACE_MS}.
   */
  expel(client: Client, reason: string): void {
    this.#kicked.add(client.sessionId);
    this.#onExpel?.();
    const socket = client.ref as { terminate?: () => void; readyState?: number };
    client.leave(LockstepCloseCode.ABUSE, reason);
    setTimeout(() => {
      if (socket.readyState !== CLOSED) socket.terminate?.();
    }, ABUSE_CLOSE_GRACE_MS).unref();
  }
}

/** `WebSocket.CLOSED`. */
const CLOSED = 3;
