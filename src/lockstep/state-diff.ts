/** Differences a report keeps: enough to see the pattern, small enough to store and read. */
export const MAX_DIFF_ENTRIES = 200;
/** Below this depth, subtrees are compared whole (a dump is bounded in bytes, not in depth). */
const MAX_DIFF_DEPTH = 32;

/** A path where the states differ, and the value at it in each state (undefined where absent). */
export interface StateDifference {
  readonly path: string;
  readonly values: readonly unknown[];
}

/** Result of {@link diffStates}. */
export interface StateDiff {
  readonly entries: readonly StateDifference[];
  /** More paths differed than {@link MAX_DIFF_ENTRIES}. */
  readonly truncated: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Deep equality of plain data (what a JSON or msgpack dump decodes to). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  const recordB = b as Record<string, unknown>;
  return keysA.every((key) => Object.hasOwn(recordB, key) && sameValue((a as Record<string, unknown>)[key], recordB[key]));
}

/**
 * The paths at which plain-data states differ (`players[1].x`, `coins["a b"]`), each with its
 * value in every state: objects and arrays are walked key by key, anything else is compared
 * whole. Paths come in the states' own key order (the first state's keys first), at most
 * {@link MAX_DIFF_ENTRIES} of them.
 */
export function diffStates(states: readonly unknown[]): StateDiff {
  const entries: StateDifference[] = [];
  let truncated = false;
  const visit = (values: readonly unknown[], path: string, depth: number): void => {
    if (truncated) return;
    if (values.every((value) => sameValue(value, values[0]))) return;
    const walkable = depth < MAX_DIFF_DEPTH && (values.every(isRecord) || values.every(Array.isArray));
    if (!walkable) {
      if (entries.length === MAX_DIFF_ENTRIES) truncated = true;
      else entries.push({ path: path === "" ? "(root)" : path, values });
      return;
    }
    if (values.every(Array.isArray)) {
      const length = Math.max(...values.map((value) => (value as unknown[]).length));
      for (let i = 0; i < length; i++)
        visit(
          values.map((value) => (value as unknown[])[i]),
          childPath(path, i),
          depth + 1,
        );
      return;
    }
    const keys = new Set<string>();
    for (const value of values) for (const key of Object.keys(value as object)) keys.add(key);
    for (const key of keys) {
      visit(
        values.map((value) => (Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined)),
        childPath(path, key),
        depth + 1,
      );
    }
  };
  if (states.length >= 2) visit(states, "", 0);
  return { entries, truncated };
}
