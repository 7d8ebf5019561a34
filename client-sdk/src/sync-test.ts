// The same hash shape as the match's checksums, so one `hash` function serves both.
import type { StateHash } from "../../src/protocol/index.ts";
import { hashState } from "./state-hash.ts";

/** What {@link syncTest} runs: a game's simulation, its starting state and the frames to feed it. */
export interface SyncTestOptions<TState, TFrame> {
  /** The state before the first frame. Never stepped itself: the helper steps copies of it. */
  readonly initial: TState;
  /** Applies one frame: mutates `state` in place and returns nothing, or returns the next state. */
  step(state: TState, frame: TFrame): TState | void;
  /** Hashes a state, as one string or one per named part, e.g. `(s) => ({ players: hashState(s.players), coins: hashState(s.coins) })`. Errors it throws propagate. */
  hash(state: TState): StateHash;
  /**
   * A deep copy of a state. Default `structuredClone`. A shallow one lets steps write into saved
   * states (and into `initial`): reported with cause `copy_changed`.
   */
  copy?(state: TState): TState;
  /**
   * The frames to step, in order (recorded or generated; finite). Each must stay unchanged once
   * yielded: a generator that reuses one object for every frame is reported as a mutated frame.
   */
  readonly frames: Iterable<TFrame>;
  /**
   * How many frames are re-simulated on every frame, from a copy saved that many frames back.
   * Integer from 1 to 64; default 8.
   */
  readonly depth?: number;
}

/**
 * Why a sync test failed:
 * - `diverged`: re-stepping a frame from the same state gave a different state (the step reads
 *   something outside its state and frame: `Math.random`, the clock, module-level variables…);
 * - `frame_mutated`: a frame's contents changed after it was yielded (the step wrote to it, or
 *   the frame source reuses one object);
 * - `copy_changed`: a saved copy no longer hashes as the state it was taken from (`copy` is
 *   shallow or lossy, so stepping the live or a restored state wrote into the saved one).
 */
export type SyncTestCause = "diverged" | "frame_mutated" | "copy_changed";

/** The outcome of {@link syncTest}: every re-simulation agreed, or the first disagreement. */
export type SyncTestResult =
  | {
      readonly ok: true;
      /** Frames stepped. */
      readonly frames: number;
    }
  | {
      readonly ok: false;
      readonly cause: SyncTestCause;
      /** The frame's number: its numeric `frame` field when it has one, else {@link index}. */
      readonly frame: number;
      /** The frame's position in `frames`, from 0. */
      readonly index: number;
      /** The named parts whose hashes differ; `[]` when `hash` returns a single string. */
      readonly parts: string[];
      /** The hash recorded first (the forward run's state, the saved state, or the frame as yielded). */
      readonly expected: StateHash;
      /** The hash found when checking again. */
      readonly actual: StateHash;
      /** One readable line, e.g. `frame 17 is not deterministic: part coins differs (…)`. */
      readonly message: string;
    };

/** Eight re-steps per frame catch state that drifts over a few frames at a cost still fine for thousands of frames in a test. */
const DEFAULT_DEPTH = 8;
/** Bounds memory (this many saved states and frames) and time (this many re-steps per frame). */
const MAX_DEPTH = 64;

/**
 * Finds non-determinism before players do. Runs the game forward over `frames`, recording the
 * hash after every step, and keeps copies of the states before the last `depth` frames (a ring
 * buffer, so memory stays bounded). After each frame it takes the copy saved before the last
 * `depth` frames (the starting state early on), re-steps those frames, the current one included,
 * and compares every hash with the recorded one; it also checks that saved copies and frames
 * stayed unchanged. Every frame is thus re-stepped `depth` times, from `depth` different runs.
 * Stops at the first disagreement. Uses no Node APIs: runs in tests and in a browser dev build.
 * @throws RangeError when `depth` is not an integer from 1 to 64.
 */
export function syncTest<TState, TFrame>(options: SyncTestOptions<TState, TFrame>): SyncTestResult {
  const depth = options.depth ?? DEFAULT_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new RangeError(`syncTest: depth must be an integer from 1 to ${MAX_DEPTH}, got ${depth}`);
  }
  const { step, hash } = options;
  const copy = (state: TState): TState => (options.copy === undefined ? structuredClone(state) : options.copy(state));
  // An in-place step returns nothing: the state it was given is the next one.
  const advance = (state: TState, frame: TFrame): TState => {
    const next = step(state, frame);
    return next === undefined ? state : (next as TState);
  };
  // Ring buffers indexed by frame index % depth: the state before the frame (and its hash), the
  // frame with its hash as yielded, and the hash recorded after the forward step.
  const saved: TState[] = new Array(depth);
  const hashBefore: StateHash[] = new Array(depth);
  const ring: TFrame[] = new Array(depth);
  const numbers: number[] = new Array(depth);
  const frameHashes: (string | undefined)[] = new Array(depth);
  const hashAfter: StateHash[] = new Array(depth);

  let live = copy(options.initial);
  let liveHash = hash(live);
  let index = 0;
  for (const frame of options.frames) {
    const slot = index % depth;
    saved[slot] = copy(live);
    hashBefore[slot] = liveHash;
    ring[slot] = frame;
    // Read once, as yielded: a frame changed later must still be reported under its own number.
    numbers[slot] = frameNumber(frame, index);
    frameHashes[slot] = frameHash(frame);
    live = advance(live, frame);
    liveHash = hash(live);
    hashAfter[slot] = liveHash;

    const first = Math.max(0, index - depth + 1);
    const start = first % depth;
    const restored = saved[start]!;
    // Every later comparison relies on the saved copy still being the state it was taken from.
    const savedNow = hash(restored);
    const savedDiff = diffParts(hashBefore[start]!, savedNow);
    if (savedDiff !== undefined) {
      const failure = { frame: numbers[start]!, index: first, parts: savedDiff, expected: hashBefore[start]!, actual: savedNow };
      const what = describe(savedDiff, failure.expected, failure.actual);
      return fail(
        "copy_changed",
        failure,
        `the saved copy of the state before frame ${failure.frame} no longer matches it: ${what}; is \`copy\` shallow or lossy?`,
      );
    }

    let state = copy(restored);
    for (let at = first; at <= index; at++) {
      const atSlot = at % depth;
      const atFrame = ring[atSlot]!;
      const number = numbers[atSlot]!;
      const yielded = frameHashes[atSlot];
      const current = yielded === undefined ? undefined : frameHash(atFrame);
      if (yielded !== undefined && current !== yielded) {
        const failure = { frame: number, index: at, parts: [], expected: yielded, actual: current ?? "unhashable" };
        return fail(
          "frame_mutated",
          failure,
          `frame ${number} changed after it was yielded: step must not write to its frame, and each frame must be its own object`,
        );
      }
      state = advance(state, atFrame);
      const actual = hash(state);
      const expected = hashAfter[atSlot]!;
      const parts = diffParts(expected, actual);
      if (parts === undefined) continue;
      const failure = { frame: number, index: at, parts, expected, actual };
      let message = `frame ${number} is not deterministic: ${describe(parts, expected, actual)}, re-simulated from frame ${numbers[start]}`;
      // The copy passed the check above, so if it changed now, re-stepping from its copy wrote into it.
      if (diffParts(hashBefore[start]!, hash(restored)) !== undefined) {
        message += "; the saved copy changed while re-simulating: is `copy` shallow?";
        return fail("copy_changed", failure, message);
      }
      return fail("diverged", failure, message);
    }
    index++;
  }
  return { ok: true, frames: index };
}

type Failure = Omit<Extract<SyncTestResult, { ok: false }>, "ok" | "cause" | "message">;

function fail(cause: SyncTestCause, failure: Failure, message: string): SyncTestResult {
  return { ok: false, cause, ...failure, message };
}

/** A frame's own `frame` number when it has one (as `LockstepFrame`s do), else its index. */
function frameNumber(frame: unknown, index: number): number {
  if (typeof frame === "object" && frame !== null) {
    const number = (frame as { frame?: unknown }).frame;
    if (typeof number === "number") return number;
  }
  return index;
}

/** The frame's hash, or undefined for frames that are not plain data (those go unchecked). */
function frameHash(frame: unknown): string | undefined {
  try {
    return hashState(frame);
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

/** Undefined when the hashes agree, else the names of the parts that differ (`[]` for single-string hashes). */
function diffParts(expected: StateHash, actual: StateHash): string[] | undefined {
  if (typeof expected === "string" || typeof actual === "string") {
    if (expected === actual) return undefined;
    // A hash that changed shape is a difference in every named part.
    const named = typeof expected === "string" ? (typeof actual === "string" ? {} : actual) : expected;
    return Object.keys(named);
  }
  const parts = Object.keys(expected).filter((key) => expected[key] !== actual[key]);
  for (const key of Object.keys(actual)) if (!(key in expected)) parts.push(key);
  return parts.length === 0 ? undefined : parts;
}

function describe(parts: readonly string[], expected: StateHash, actual: StateHash): string {
  if (typeof expected === "string" && typeof actual === "string") return `state hash ${expected} ≠ ${actual}`;
  const hashes = (key: string) => `${partHash(expected, key)} ≠ ${partHash(actual, key)}`;
  if (parts.length === 1) return `part ${parts[0]} differs (${hashes(parts[0]!)})`;
  return `parts ${parts.join(", ")} differ (${parts.map((key) => `${key} ${hashes(key)}`).join("; ")})`;
}

function partHash(hash: StateHash, key: string): string {
  return typeof hash === "string" ? hash : (hash[key] ?? "none");
}
