import { STATUS_CODES } from "node:http";
import type { ErrorRequestHandler } from "express";

/** What an error may say about itself, in the convention of `http-errors` (used by body-parser). */
interface DescribedError {
  readonly status?: unknown;
  readonly statusCode?: unknown;
  /** True when the message is meant for clients. */
  readonly expose?: unknown;
  /** A stable, machine-readable reason (e.g. `database_unavailable`). */
  readonly code?: unknown;
  readonly message?: unknown;
}

/** `Payload Too Large` → `payload_too_large`: a stable code for errors that bring none. */
function codeOfStatus(status: number): string {
  return (STATUS_CODES[status] ?? "error").toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

/**
 * The last error handler of the HTTP app: whatever a route throws becomes a JSON answer, never
 * an HTML page or a stack trace. An error that declares itself fit for clients (`expose: true`
 * and a 4xx or 5xx `status`, as body-parser's errors and `DatabaseUnavailableError` do) keeps
 * its status, its `code` (or one named after the status) and its message. Anything else is a
 * bug: 500 `internal_error` with no detail, and the error is logged once, with its stack.
 */
export function jsonErrorHandler(log: (message: string, error: unknown) => void = console.error): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    // Once a response has started it cannot become JSON: let express end the connection.
    if (response.headersSent) return next(error);
    const described = (error ?? {}) as DescribedError;
    const status = Number(described.status ?? described.statusCode);
    if (described.expose === true && Number.isInteger(status) && status >= 400 && status < 600) {
      const code = typeof described.code === "string" && /^[a-z_]+$/.test(described.code) ? described.code : codeOfStatus(status);
      response.status(status).json({ error: code, message: typeof described.message === "string" ? described.message : code });
      return;
    }
    log(`${request.method} ${request.path} failed:`, error);
    response.status(500).json({ error: "internal_error", message: "the server could not handle this request" });
  };
}
