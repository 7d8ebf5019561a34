/** Upper bounds (ms) of the buckets: fine where the 1–5 ms targets are, coarse where a tick is simply very late. */
const BOUNDS_MS = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 35, 50, 100, 200, 500, Number.POSITIVE_INFINITY] as const;
/** The minute is kept as six 10-second slots: the oldest is dropped as a new one starts. */
const SLOT_MS = 10_000;
const SLOTS = 6;

/**
 * One room's tick lateness over about the last minute, for its operator's view: constant
 * memory (six slots of fifteen counters) and constant-time recording on the tick. Percentiles
 * are bucket upper bounds ("at most 2 ms"), the exact maximum is kept per slot.
 */
export class RecentLateness {
  readonly #counts = new Uint32Array(SLOTS * BOUNDS_MS.length);
  readonly #maxima = new Float64Array(SLOTS);
  /** The 10-second period (time / SLOT_MS) each slot holds. */
  readonly #periods = new Float64Array(SLOTS).fill(-1);

  /** A tick closed `lateMs` after its deadline, at `nowMs` (a monotonic clock). */
  record(lateMs: number, nowMs: number): void {
    const slot = this.#slot(nowMs);
    const value = Math.max(0, lateMs);
    let bucket = 0;
    while (value > BOUNDS_MS[bucket]!) bucket++;
    this.#counts[slot * BOUNDS_MS.length + bucket]!++;
    if (value > this.#maxima[slot]!) this.#maxima[slot] = value;
  }

  /** Percentile `q` (0..1) and maximum of the ticks of the last minute as of `nowMs`; undefined if there were none. */
  summary(q: number, nowMs: number): { readonly percentileMs: number; readonly maxMs: number; readonly ticks: number } | undefined {
    const current = Math.floor(nowMs / SLOT_MS);
    const merged = new Array<number>(BOUNDS_MS.length).fill(0);
    let ticks = 0;
    let maxMs = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      if (current - this.#periods[slot]! >= SLOTS) continue;
      for (let bucket = 0; bucket < BOUNDS_MS.length; bucket++) {
        const count = this.#counts[slot * BOUNDS_MS.length + bucket]!;
        merged[bucket]! += count;
        ticks += count;
      }
      maxMs = Math.max(maxMs, this.#maxima[slot]!);
    }
    if (ticks === 0) return undefined;
    // Hundredths of a millisecond: finer is noise, and it keeps float artefacts out of the operator's view.
    maxMs = Math.round(maxMs * 100) / 100;
    const rank = Math.max(1, Math.ceil(q * ticks));
    let seen = 0;
    for (let bucket = 0; bucket < BOUNDS_MS.length; bucket++) {
      seen += merged[bucket]!;
      if (seen >= rank) return { percentileMs: Math.min(BOUNDS_MS[bucket]!, maxMs), maxMs, ticks };
    }
    return { percentileMs: maxMs, maxMs, ticks };
  }

  #slot(nowMs: number): number {
    const period = Math.floor(nowMs / SLOT_MS);
    const slot = period % SLOTS;
    if (this.#periods[slot] !== period) {
      this.#periods[slot] = period;
      this.#counts.fill(0, slot * BOUNDS_MS.length, (slot + 1) * BOUNDS_MS.length);
      this.#maxima[slot] = 0;
    }
    return slot;
  }
}
