/**
 * Deepest nesting a JSON body or a set of join options may have. Ours nest two or three levels
 * (a game result a few more); 32 leaves room while staying far below the thousands of levels at
 * which recursive code (serializers, validators, Colyseus's seat reservation) overflows the stack.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True if a parsed JSON value nests deeper than `maxDepth` (a scalar has depth 0, `[]` and `{}`
 * depth 1). Walks without recursion, and stops as soon as the limit is passed.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(current)) pending.push({ value: child, depth: depth + 1 });
  }
  return false;
}
