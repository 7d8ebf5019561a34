/** An ISO 8601 date, or a date and time with its zone (a time without one would be read in the server's zone), to the millisecond. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
/** A cursor holds a time (24 characters) and an id: routes bound ids far below this. */
const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Where the next page of a listing ordered newest first, then by id descending, starts: rows
 * strictly before `(time, id)` in that order. Without `id` (a plain time given by the caller),
 * rows strictly older than `time`.
 */
export interface PageCursor {
  readonly time: string;
  readonly id?: string;
}

/** True if `value` is an ISO 8601 time a listing accepts (see `ISO_TIME`). */
export function isIsoTimeParam(value: unknown): value is string {
  return typeof value === "string" && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * The `next_before` of a full page whose last row is `(time, id)`: opaque to callers, URL-safe
 * (base64url of `time|id`). Paging on the time alone would skip the rows that share the last
 * row's millisecond but did not fit on the page.
 */
export function encodePageCursor(time: string, id: string): string {
  return Buffer.from(`${time}|${id}`, "utf8").toString("base64url");
}

/**
 * A listing's `before`: a cursor from {@link encodePageCursor}, or a plain ISO time (rows
 * strictly older, as before cursors existed). Undefined if it is neither, or its id is empty or
 * longer than `maxIdLength`.
 */
export function readPageCursor(value: unknown, maxIdLength: number): PageCursor | undefined {
  if (isIsoTimeParam(value)) return { time: value };
  if (typeof value !== "string" || value.length > MAX_CURSOR_LENGTH || !BASE64URL.test(value)) return undefined;
  const bytes = Buffer.from(value, "base64url");
  // Node decodes leniently: only the exact encoding of what it decodes to is a cursor.
  if (bytes.toString("base64url") !== value) return undefined;
  const text = bytes.toString("utf8");
  const separator = text.indexOf("|");
  if (separator < 0) return undefined;
  const time = text.slice(0, separator);
  const id = text.slice(separator + 1);
  if (!isIsoTimeParam(time) || id === "" || id.length > maxIdLength) return undefined;
  return { time, id };
}
