import type { LockstepOptions } from "./options.ts";
import { TokenBucket } from "./token-bucket.ts";

/** One strike is forgiven per second: honest clients that trip a limit now and then are never closed. */
const STRIKES_FORGIVEN_PER_SECOND = 1;
/**
 * WebSocket ping frames a client may send: browsers never send any, and Node clients ping
 * every few seconds to keep a connection alive. More is a flood, which `ws` would otherwise
 * end itself by resetting the connection (after 60 unanswered pings), leaving the seat held.
 */
const WEBSOCKET_PINGS_PER_SECOND = 2;
const WEBSOCKET_PING_BURST = 10;

/** Per-client budgets: messages, WebSocket pings, reload requests, and strikes (refused messages) before the client is closed. */
export class ClientGuard {
  readonly messages: TokenBucket;
  readonly pings: TokenBucket;
  readonly reloads: TokenBucket;
  readonly #strikes: TokenBucket;

  constructor(options: LockstepOptions, now: number) {
    this.messages = new TokenBucket(options.maxMessagesPerSecond, Math.max(1, Math.ceil(options.maxMessagesPerSecond)), now);
    this.pings = new TokenBucket(WEBSOCKET_PINGS_PER_SECOND, WEBSOCKET_PING_BURST, now);
    this.reloads = new TokenBucket(options.reloadRequestsPerSecond, options.reloadBurst, now);
    this.#strikes = new TokenBucket(STRIKES_FORGIVEN_PER_SECOND, options.maxStrikes, now);
  }

  /** Records a refused message. Returns true when the strike budget is exhausted. */
  strike(now: number): boolean {
    return !this.#strikes.take(now);
  }
}
