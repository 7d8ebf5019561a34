import { LockstepClientError, ReplayLoadErrorCode, loadReplay, type ReplayPlayer } from "colyseus-lockstep-client";

/** Pause between attempts while the server is still writing the replay: a few tries per second is quick to notice and light on the server. */
export const REPLAY_RETRY_INTERVAL_MS = 250;
/**
 * How long to keep asking. The server writes the replay off the frame clock right after
 * `match_end`, normally within a fraction of a second; ten seconds also covers a slow database
 * and its retries, and past that the replay is more likely lost than late.
 */
export const REPLAY_WAIT_MS = 10_000;

/** True for the answer "no such replay (yet)": the only failure worth asking again about. */
function notWrittenYet(error: unknown): boolean {
  return error instanceof LockstepClientError && error.code === ReplayLoadErrorCode.UNAVAILABLE && error.details?.status === 404;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Downloads and reads the replay at `url`, asking again every {@link REPLAY_RETRY_INTERVAL_MS}
 * while the server answers 404, for up to {@link REPLAY_WAIT_MS}. Any other failure (403, an
 * unreadable document, a network error) is final at once. Rejects with an `Error` whose
 * message says what went wrong in words.
 */
export async function downloadReplayWhenReady<TAction>(url: string, token: string | undefined): Promise<ReplayPlayer<TAction>> {
  const deadline = Date.now() + REPLAY_WAIT_MS;
  for (;;) {
    try {
      return await loadReplay<TAction>(url, token !== undefined ? { token } : {});
    } catch (error) {
      if (!notWrittenYet(error)) throw error;
      if (Date.now() + REPLAY_RETRY_INTERVAL_MS > deadline) {
        throw new Error(`the replay was still not available after ${REPLAY_WAIT_MS / 1000} s (${(error as Error).message})`);
      }
      await delay(REPLAY_RETRY_INTERVAL_MS);
    }
  }
}
