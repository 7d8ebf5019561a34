/** What clients are told when the user database cannot answer: no address, no driver detail. */
export const DATABASE_UNAVAILABLE_MESSAGE = "the user database is unavailable: try again shortly";

/**
 * The user database could not be reached or did not answer in time (down, restarting,
 * stalled, out of connections). Routes answer it with 503 `database_unavailable` and joins
 * fail with code 503; the driver's own error, which may name the server's address, stays in
 * `cause` for the server's log only.
 */
export class DatabaseUnavailableError extends Error {
  /** HTTP status for this error (read by the server's JSON error handler). */
  readonly status = 503;
  /** Stable error code sent to clients. */
  readonly code = "database_unavailable";
  /** The message is safe to show to clients. */
  readonly expose = true;

  constructor(cause: unknown) {
    super(DATABASE_UNAVAILABLE_MESSAGE, { cause });
    this.name = "DatabaseUnavailableError";
  }
}

/**
 * SQLSTATE classes that mean "the server cannot serve you now", not "your query is wrong":
 * 08 connection exception, 53 insufficient resources (e.g. too many connections), 57 operator
 * intervention (shutdown, restart, statement timeout, starting up).
 */
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(["08", "53", "57"]);

/** Messages of node-postgres's own errors for lost, timed-out or unusable connections (they carry no code). */
const DRIVER_CONNECTION_FAILURE = /connection terminated|timeout exceeded when trying to connect|query read timeout|not queryable|connection error/i;

/**
 * True if `error`, thrown by a PostgreSQL query, means the database is unreachable or did not
 * answer in time; false for errors of the query itself (constraint violations, syntax), which
 * must keep their meaning.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const { code, syscall, message } = (error ?? {}) as { code?: unknown; syscall?: unknown; message?: unknown };
  // A socket failure (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EPIPE...); no SQLSTATE class starts with E.
  if (typeof syscall === "string" || (typeof code === "string" && /^E[A-Z]+$/.test(code))) return true;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
  return typeof message === "string" && DRIVER_CONNECTION_FAILURE.test(message);
}
