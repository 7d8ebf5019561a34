import type { ReplaySnapshot } from "../protocol/replay-format.ts";

/**
 * Most snapshots one replay keeps. With them spread evenly, a seek steps at most about
 * 1/64 of the match (under a minute of a one-hour match). Overflow rule: every other kept
 * snapshot is dropped and the spacing doubles (see {@link ReplaySnapshots}).
 */
export const MAX_REPLAY_SNAPSHOTS = 64;
/**
 * Most bytes of snapshot state one replay keeps (before compression): 1 MiB, a sixteenth of
 * the default `maxReplayBytes`. Overflow rule: thinned as for the count; a single snapshot larger
 * than this is not kept.
 */
export const MAX_REPLAY_SNAPSHOT_BYTES = 1024 * 1024;

/**
 * The verified snapshots a replay keeps, spread over the whole match within a count and a byte
 * bound. Every snapshot the room verifies is offered; one is kept if it is at least `spacing`
 * frames after the last one kept. When a bound is passed, every other kept snapshot is dropped
 * (the first stays) and the spacing doubles, so however long the match runs, the kept ones stay
 * about evenly spaced from its start to its latest frames.
 */
export class ReplaySnapshots {
  readonly #maxCount: number;
  readonly #maxBytes: number;
  #kept: ReplaySnapshot[] = [];
  #bytes = 0;
  /** Fewest frames between two kept snapshots; starts at 1 (the room's own interval spaces them first). */
  #spacing = 1;

  constructor(maxCount = MAX_REPLAY_SNAPSHOTS, maxBytes = MAX_REPLAY_SNAPSHOT_BYTES) {
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    this.#maxCount = maxCount;
    this.#maxBytes = maxBytes;
  }

  /** The kept snapshots, in frame order. */
  get kept(): readonly ReplaySnapshot[] {
    return this.#kept;
  }

  /** A snapshot was verified: kept if due and within the bounds (see the class notes). */
  offer(snapshot: ReplaySnapshot): void {
    const last = this.#kept.at(-1);
    if (last !== undefined && snapshot.frame - last.frame < this.#spacing) return;
    // Measured as UTF-16 length: a bound, not a byte count (state is mostly ASCII JSON).
    const size = snapshot.state.length;
    if (size > this.#maxBytes) return;
    this.#kept.push(snapshot);
    this.#bytes += size;
    while (this.#kept.length > 1 && (this.#kept.length > this.#maxCount || this.#bytes > this.#maxBytes)) this.#thin();
  }

  #thin(): void {
    const first = this.#kept[0]!;
    const last = this.#kept.at(-1)!;
    this.#kept = this.#kept.filter((_, index) => index % 2 === 0);
    this.#bytes = this.#kept.reduce((sum, snapshot) => sum + snapshot.state.length, 0);
    // The kept ones' average gap (twice the old one): what the next kept snapshot must keep to.
    const gap = this.#kept.length > 1 ? Math.ceil((last.frame - first.frame) / (this.#kept.length - 1)) : this.#spacing * 2;
    this.#spacing = Math.max(this.#spacing * 2, gap);
  }
}
