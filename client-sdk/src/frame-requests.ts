import type { LockstepClientError } from "./types.ts";

/** A `requestFrames` call waiting for its answer. */
interface PendingRequest {
  /** The frames' bytes its chunks brought so far. */
  readonly frames: Uint8Array[];
  /** Why it failed on this side (the connection dropped or the match closed), once it did. */
  failure: LockstepClientError | undefined;
  /** Rejects the call. */
  readonly fail: (error: LockstepClientError) => void;
}

/**
 * `requestFrames` calls waiting for their answer, by request id. The frames of their
 * `reload_frames` chunks are kept for them (never delivered to `onFrame`); a drop or a close
 * fails them at once with a clear error.
 */
export class FrameRequests {
  readonly #pending = new Map<number, PendingRequest>();

  /**
   * Registers `requestId`, sends the request with `send`, and resolves to the frames its chunks
   * brought once the server answered. Rejects with the error given to `failAll`, else with
   * `toError` of the SDK's rejection.
   */
  async run(requestId: number, send: (requestId: number) => Promise<unknown>, toError: (error: unknown) => LockstepClientError): Promise<Uint8Array[]> {
    let fail!: (error: LockstepClientError) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const pending: PendingRequest = { frames: [], failure: undefined, fail };
    this.#pending.set(requestId, pending);
    try {
      await Promise.race([send(requestId), failed]);
      return pending.frames;
    } catch (error) {
      // The SDK rejects the requests of a closing socket with a bare error just before the
      // match hears of the close; the failure recorded then says what happened.
      throw pending.failure ?? toError(error);
    } finally {
      this.#pending.delete(requestId);
    }
  }

  /** Keeps a chunk's frames for the call it answers; false if no call waits for `requestId` (a gap fill). */
  collect(requestId: number, frames: readonly Uint8Array[]): boolean {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return false;
    pending.frames.push(...frames);
    return true;
  }

  /** Fails every waiting call with `error`. */
  failAll(error: LockstepClientError): void {
    for (const pending of this.#pending.values()) {
      pending.failure = error;
      pending.fail(error);
    }
    this.#pending.clear();
  }
}
