/** How often {@link eventually} re-checks: fast enough for a test, slow enough not to load Redis. */
const RECHECK_MS = 100;

/**
 * Retries `check` until it stops throwing, for state that changes without telling anyone (a
 * key in Redis, a counter another process persists on its own schedule). Fails with the last
 * assertion error after `timeoutMs`. Prefer awaiting an event when there is one.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
    }
  }
}
