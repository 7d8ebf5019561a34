import { z } from "zod";
import { LockstepErrorCode, type LockstepErrorMessage, type ReloadResponse } from "../protocol/messages.ts";
import type { ClientGuard } from "./client-guard.ts";
import type { FrameLog } from "./frame-log.ts";
import type { LockstepOptions } from "./options.ts";
import { ReloadChunker, checkReloadRange, type FrameRange } from "./reload-planner.ts";

const TYPE = "sync_request_reload_frames";
const MAX_REQUEST_ID = 0xffffffff;
/** A client whose queue is full is told to ask again after this long: about what a slow link needs to drain a chunk. */
export const SEND_QUEUE_RETRY_MS = 500;

const reloadRequestSchema = z.object({
  start_frame: z.number().int().min(0),
  end_frame: z.number().int().min(0).optional(),
  request_id: z.number().int().min(0).max(MAX_REQUEST_ID).optional(),
});

/** A reload answer: its chunks, produced one at a time (see `ReloadChunker`), and the summary returned to `room.request` once they are sent. */
export interface ReloadAnswer {
  readonly chunker: ReloadChunker;
  /** The summary, given the number of chunks sent. */
  response(chunks: number): ReloadResponse;
}

/** A refused reload request; `strike` says whether it counts against the client. */
export interface ReloadRefusal {
  readonly error: LockstepErrorMessage;
  readonly strike: boolean;
}

/**
 * Answers `sync_request_reload_frames` from the frame log: rate-limited per client,
 * validated, checked against the frames that exist, cut into bounded chunks.
 */
export class ReloadService {
  readonly #log: FrameLog;
  readonly #options: LockstepOptions;

  constructor(log: FrameLog, options: LockstepOptions) {
    this.#log = log;
    this.#options = options;
  }

  /**
   * Answers one request from a client whose budgets are in `guard`; `lastFrame` is the last
   * frame sent to clients; `queueFull` says the client cannot take an answer now (its outgoing
   * queue is over the pacing mark, or an earlier answer is still being sent).
   */
  answer(message: unknown, guard: ClientGuard, now: number, lastFrame: number = this.#log.lastFrame, queueFull = false): ReloadAnswer | ReloadRefusal {
    if (!guard.reloads.take(now)) {
      return {
        strike: true,
        error: {
          code: LockstepErrorCode.RATE_LIMITED,
          type: TYPE,
          message: `at most ${this.#options.reloadRequestsPerSecond} reload requests per second`,
          details: { retry_after_ms: guard.reloads.msUntilToken(now) },
        },
      };
    }
    const parsed = reloadRequestSchema.safeParse(message);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`).join("; ");
      return { strike: true, error: { code: LockstepErrorCode.INVALID_REQUEST, type: TYPE, message: `invalid reload request: ${problems}` } };
    }
    const { start_frame: start, end_frame: end, request_id: requestId = 0 } = parsed.data;
    const range = checkReloadRange(this.#log, start, end, lastFrame);
    if ("code" in range) return { strike: range.code === LockstepErrorCode.INVALID_REQUEST, error: range };

    if (queueFull) {
      return {
        strike: false,
        error: {
          code: LockstepErrorCode.SEND_QUEUE_FULL,
          type: TYPE,
          message: "this client is not reading its messages fast enough: ask again once it has caught up",
          details: { retry_after_ms: SEND_QUEUE_RETRY_MS },
        },
      };
    }
    const chunker = new ReloadChunker(this.#log, range, requestId, {
      maxFrames: this.#options.reloadChunkFrames,
      maxBytes: this.#options.reloadChunkBytes,
    });
    return { chunker, response: (chunks) => summary(range, requestId, chunks) };
  }
}

function summary(range: FrameRange, requestId: number, chunks: number): ReloadResponse {
  return {
    request_id: requestId,
    start_frame: range.start,
    end_frame: range.end,
    frames: Math.max(0, range.end - range.start + 1),
    chunks,
  };
}
