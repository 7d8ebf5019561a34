/**
 * A token bucket: `burst` tokens at most, refilled at `ratePerSecond`. Used per client for
 * message rates, reload requests and the strike budget that decides when a client is abusive.
 * Time is passed in (milliseconds, monotonic) so tests can drive it.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes one token if there is one. Returns false (and takes nothing) when the bucket is empty. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 if one is). */
  msUntilToken(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) / this.ratePerSecond) * 1000);
  }

  #refill(now: number): void {
    const elapsed = now - this.#updatedAt;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    this.#updatedAt = now;
  }
}
