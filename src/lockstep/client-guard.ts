import type { LockstepOptions } from "./options.ts";
import { TokenBucket } from "./token-bucket.ts";

/** One strike is forgiven per second: honest clients that trip a limit now and then are never closed. */
const STRIKES_FORGIVEN_PER_SECOND = 1;

/** Per-client budgets: messages, reload requests, and strikes (refused messages) before the client is closed. */
export class ClientGuard {
  readonly messages: TokenBucket;
  readonly reloads: TokenBucket;
  readonly #strikes: TokenBucket;

  constructor(options: LockstepOptions, now: number) {
    this.messages = new TokenBucket(options.maxMessagesPerSecond, Math.max(1, Math.ceil(options.maxMessagesPerSecond)), now);
    this.reloads = new TokenBucket(options.reloadRequestsPerSecond, options.reloadBurst, now);
    this.#strikes = new TokenBucket(STRIKES_FORGIVEN_PER_SECOND, options.maxStrikes, now);
  }

  /** Records a refused message. Returns true when the strike budget is exhausted. */
  strike(now: number): boolean {
    return !this.#strikes.take(now);
  }
}
