import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";

/** A minute: the window of the auth rate limit. */
const RATE_WINDOW_MS = 60_000;

/** Limits requests per client IP per minute; the excess gets 429 with a JSON error and `Retry-After`. */
export function perMinuteLimit(requestsPerMinute: number): RequestHandler {
  return rateLimit({
    windowMs: RATE_WINDOW_MS,
    limit: requestsPerMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    message: { error: "rate_limited", message: `at most ${requestsPerMinute} requests per minute` },
  });
}
