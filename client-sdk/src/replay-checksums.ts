import { checksumParts, wholeStateHash, type ReplayChecksum, type StateHash } from "../../src/protocol/index.ts";

/** A recorded frame whose replayed state does not hash as the players' states did. */
export interface ReplayMismatch {
  readonly frame: number;
  /** The whole-state hash every player agreed on during the match. */
  readonly expected: string;
  /** The replayed state's whole-state hash (see `wholeStateHash`), or why the hash could not be read. */
  readonly actual: string;
}

/** The hashes a replay recorded, by frame, to check a replayed game against. */
export class RecordedChecksums {
  readonly #byFrame = new Map<number, string>();

  constructor(checksums: readonly ReplayChecksum[]) {
    for (const { frame, hash } of checksums) this.#byFrame.set(frame, hash);
  }

  /** True if the match recorded a hash for `frame`. */
  has(frame: number): boolean {
    return this.#byFrame.has(frame);
  }

  /** Compares a state's hash with the one recorded for `frame`: undefined if they match (or nothing was recorded), else the mismatch. */
  compare(frame: number, hash: StateHash): ReplayMismatch | undefined {
    const expected = this.#byFrame.get(frame);
    if (expected === undefined) return undefined;
    let actual: string;
    try {
      actual = wholeStateHash(checksumParts(hash));
    } catch (error) {
      // The server refuses such a hash, so none was ever recorded: it cannot match.
      return { frame, expected, actual: `unreadable hash (${(error as Error).message})` };
    }
    return actual === expected ? undefined : { frame, expected, actual };
  }
}
