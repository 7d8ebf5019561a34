import type { ReplaySnapshot } from "../protocol/replay-format.ts";

/**
 * Most snapshots one replay keeps. Thinning leaves 33 to 64, spread evenly: a seek steps at
 * most about 1/32 of the match (two minutes of a one-hour match), when the byte budget does not
 * bind first (larger states keep fewer). Overflow rule: every other kept snapshot is dropped and
 * the spacing doubles (see {@link ReplaySnapshots}).
 */
export const MAX_REPLAY_SNAPSHOTS = 64;
/**
 * Default of the room's `replaySnapshotBytes`: bytes of snapshot state one running match keeps
 * for its replay (held in memory until the match ends, so it is a per-room cost): 1 MiB.
 * Overflow rule: thinned as for the count.
 */
export const DEFAULT_REPLAY_SNAPSHOT_BYTES = 1024 * 1024;
/**
 * A state larger than this share of the byte budget is not kept: at least this many always fit,
 * so a seek never steps more than about a quarter of the match for lack of room.
 */
const FEWEST_THAT_FIT = 8;

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

  constructor(maxBytes = DEFAULT_REPLAY_SNAPSHOT_BYTES, maxCount = MAX_REPLAY_SNAPSHOTS) {
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
    if (size * FEWEST_THAT_FIT > this.#maxBytes) return;
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
