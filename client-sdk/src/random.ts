/**
 * A deterministic pseudo-random generator for lockstep games: the same seed gives the same
 * sequence on every JavaScript engine (32-bit integer arithmetic only, no `Math.random`).
 * Algorithm: sfc32, seeded through splitmix32 so that nearby seeds give unrelated sequences.
 */
export interface DeterministicRandom {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Next float in [0, 1), with 32 bits of randomness. */
  next(): number;
  /** Next integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** A random element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** The generator's state, to save with a snapshot and restore with {@link createRandom}. */
  state(): [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Warm-up rounds recommended for sfc32 so the first outputs do not echo the seed. */
const WARM_UP_ROUNDS = 12;

/**
 * Creates a generator from the match seed (`match.seed`), or from a saved `state()`.
 */
export function createRandom(seedOrState: number | readonly [number, number, number, number]): DeterministicRandom {
  let a: number, b: number, c: number, d: number;
  if (typeof seedOrState === "number") {
    const mix = splitmix32(seedOrState);
    [a, b, c, d] = [mix(), mix(), mix(), mix()];
  } else {
    [a, b, c, d] = seedOrState.map((value) => value >>> 0) as [number, number, number, number];
  }
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  if (typeof seedOrState === "number") for (let i = 0; i < WARM_UP_ROUNDS; i++) nextUint32();

  return {
    nextUint32,
    next: () => nextUint32() / 4294967296,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`bad range ${min}..${max}`);
      return min + Math.floor((nextUint32() / 4294967296) * (max - min + 1));
    },
    pick(items) {
      if (items.length === 0) throw new RangeError("cannot pick from an empty array");
      return items[Math.floor((nextUint32() / 4294967296) * items.length)]!;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}
