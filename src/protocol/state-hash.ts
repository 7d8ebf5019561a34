/**
 * A stable hash of a game state, for desync detection: the same value gives the same hash on
 * every engine and in every key order. Plain data only: objects (keys sorted), arrays,
 * strings, finite numbers, booleans, null; `undefined` object fields are skipped like JSON does.
 * Two independent 32-bit lanes (FNV-1a and a multiply-xorshift) give a 64-bit result, as 16 hex digits.
 */
export function hashState(value: unknown): string {
  const hasher = new LaneHasher();
  feed(hasher, value);
  return hasher.digest();
}

class LaneHasher {
  #fnv = 0x811c9dc5;
  #mix = 0x9747b28c;

  /** Feeds one 16-bit code unit into both lanes. */
  unit(code: number): void {
    this.#fnv = Math.imul(this.#fnv ^ (code & 0xff), 0x01000193);
    this.#fnv = Math.imul(this.#fnv ^ (code >>> 8), 0x01000193);
    let mix = Math.imul(this.#mix ^ code, 0x5bd1e995);
    mix ^= mix >>> 15;
    this.#mix = Math.imul(mix, 0x27d4eb2d);
  }

  text(text: string): void {
    this.unit(text.length & 0xffff);
    for (let i = 0; i < text.length; i++) this.unit(text.charCodeAt(i));
  }

  digest(): string {
    let mix = this.#mix;
    mix ^= mix >>> 16;
    mix = Math.imul(mix, 0x85ebca6b);
    mix ^= mix >>> 13;
    return (this.#fnv >>> 0).toString(16).padStart(8, "0") + (mix >>> 0).toString(16).padStart(8, "0");
  }
}

// Type tags keep "1" (string) and 1 (number), [] and {} apart.
const TAG_NULL = 1,
  TAG_FALSE = 2,
  TAG_TRUE = 3,
  TAG_NUMBER = 4,
  TAG_STRING = 5,
  TAG_ARRAY = 6,
  TAG_OBJECT = 7;

function feed(hasher: LaneHasher, value: unknown): void {
  if (value === null) return hasher.unit(TAG_NULL);
  switch (typeof value) {
    case "boolean":
      return hasher.unit(value ? TAG_TRUE : TAG_FALSE);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`hashState: ${value} is not a finite number`);
      hasher.unit(TAG_NUMBER);
      // -0 and 0 are equal game states.
      return hasher.text(String(value === 0 ? 0 : value));
    case "string":
      hasher.unit(TAG_STRING);
      return hasher.text(value);
    case "object": {
      if (Array.isArray(value)) {
        hasher.unit(TAG_ARRAY);
        hasher.unit(value.length & 0xffff);
        for (const item of value) feed(hasher, item);
        return;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      hasher.unit(TAG_OBJECT);
      hasher.unit(keys.length & 0xffff);
      for (const key of keys) {
        hasher.text(key);
        feed(hasher, record[key]);
      }
      return;
    }
    default:
      throw new TypeError(`hashState: cannot hash a ${typeof value}`);
  }
}
