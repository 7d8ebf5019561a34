/** Resolution of a {@link Histogram}: 50 µs, fine enough for the 1 ms tick-lateness target. */
const BUCKET_MS = 0.05;
/** Values up to 50 ms get their own bucket; later ones share the last (the exact maximum is kept). */
const BUCKET_COUNT = 1000;

/**
 * A fixed-size histogram of durations in milliseconds: constant memory and constant-time
 * recording, so it can sit on the tick path. Percentiles are the upper bound of their bucket.
 */
export class Histogram {
  readonly #buckets = new Uint32Array(BUCKET_COUNT + 1);
  #count = 0;
  #sum = 0;
  #max = 0;

  record(ms: number): void {
    if (Number.isNaN(ms)) throw new RangeError("cannot record NaN");
    const value = Math.max(ms, 0);
    const index = Math.min(BUCKET_COUNT, Math.floor(value / BUCKET_MS));
    this.#buckets[index]!++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /** The value below which a fraction `q` (0..1) of the recorded values fall. */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i <= BUCKET_COUNT; i++) {
      seen += this.#buckets[i]!;
      if (seen >= rank) return i === BUCKET_COUNT ? this.#max : Math.min(this.#max, (i + 1) * BUCKET_MS);
    }
    return this.#max;
  }

  /** Adds another histogram's values to this one. */
  merge(other: Histogram): void {
    for (let i = 0; i <= BUCKET_COUNT; i++) this.#buckets[i]! += other.#buckets[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  reset(): void {
    this.#buckets.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#max = 0;
  }

  /** p50, p99 and max, rounded to 0.01 ms, for reports. */
  summary(): { count: number; p50: number; p99: number; max: number } {
    const round = (value: number) => Math.round(value * 100) / 100;
    return { count: this.#count, p50: round(this.percentile(0.5)), p99: round(this.percentile(0.99)), max: round(this.#max) };
  }
}
