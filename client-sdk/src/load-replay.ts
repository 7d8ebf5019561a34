import { ReplayErrorCode, ReplayFormatError, readBounded, readReplayDocument } from "../../src/protocol/index.ts";
import { ReplayPlayer } from "./replay-player.ts";
import { ClientErrorCode, LockstepClientError } from "./types.ts";

/**
 * Largest replay document `loadReplay` accepts by default: 64 MiB. A replay stores a few
 * bytes per frame, compressed, so hours of a busy match fit in a fraction of it; anything
 * bigger is more likely a wrong address than a replay worth holding in a page's memory.
 */
export const DEFAULT_MAX_REPLAY_BYTES = 64 * 1024 * 1024;
/** Most bytes of an error answer read for its message: the server's JSON errors are a few hundred. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** Codes of the errors `loadReplay` raises itself (besides `ReplayFormatError`'s). */
export const ReplayLoadErrorCode = {
  /** The server did not hand the replay over (`details.status`: 401, 403, 404…; `details.error`: its code, if it gave one). */
  UNAVAILABLE: "REPLAY_UNAVAILABLE",
} as const;

/** Options of {@link loadReplay}. */
export interface LoadReplayOptions {
  /** Sent as `Authorization: Bearer <token>` when the replay is fetched (the logged-in client's `token`). */
  readonly token?: string;
  /** The `fetch` to download with (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Largest document accepted, in bytes (default {@link DEFAULT_MAX_REPLAY_BYTES}); a download is cut off as soon as it is exceeded. */
  readonly maxBytes?: number;
  /** The player's clock: `"animation-frame"` (browser default) or `"timer"` (Node default). */
  readonly clock?: "animation-frame" | "timer";
}

/**
 * Reads a replay document and returns its player, ready to `play()` (see {@link ReplayPlayer}).
 *
 * `source` is the document's bytes, or the address to download it from (`GET /replays/:id`;
 * a relative address works in a browser).
 *
 * Rejects with a `LockstepClientError`: `REPLAY_UNAVAILABLE` when the server answers other than
 * 2xx (`details.status`, and its message when it sent a JSON `{ error, message }`),
 * `REQUEST_FAILED` when the download fails. Rejects with a `ReplayFormatError` when the bytes are
 * not a readable replay (its `code` says why; `TOO_LARGE` past `maxBytes`).
 */
export async function loadReplay<TAction = unknown>(
  source: Uint8Array | ArrayBuffer | string | URL,
  options: LoadReplayOptions = {},
): Promise<ReplayPlayer<TAction>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_REPLAY_BYTES;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  let bytes: Uint8Array;
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else bytes = await download(source, options, maxBytes);
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  const document = await readReplayDocument(bytes);
  return new ReplayPlayer<TAction>(document, options.clock !== undefined ? { clock: options.clock } : {});
}

async function download(address: string | URL, options: LoadReplayOptions, maxBytes: number): Promise<Uint8Array> {
  const fetchReplay = options.fetch ?? fetch;
  const headers: Record<string, string> = options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {};
  let response: Response;
  try {
    response = await fetchReplay(address, { method: "GET", headers });
  } catch (error) {
    throw new LockstepClientError(ClientErrorCode.REQUEST_FAILED, `could not download the replay: ${(error as Error).message}`);
  }
  if (!response.ok) throw await unavailable(response);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readAtMost(response, maxBytes);
  } catch (error) {
    throw new LockstepClientError(ClientErrorCode.REQUEST_FAILED, `the replay's download broke off: ${(error as Error).message}`);
  }
  if (bytes === undefined) throw tooLarge(maxBytes);
  return bytes;
}

/** The body, or undefined (and the download cancelled) once it grows past `maxBytes`. */
async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  return response.body === null ? new Uint8Array(0) : readBounded(response.body, maxBytes);
}

async function unavailable(response: Response): Promise<LockstepClientError> {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = await readAtMost(response, MAX_ERROR_BODY_BYTES);
    const parsed = body === undefined ? undefined : (JSON.parse(new TextDecoder().decode(body)) as { error?: unknown; message?: unknown } | null);
    if (typeof parsed?.error === "string") code = parsed.error;
    if (typeof parsed?.message === "string") message = parsed.message;
  } catch {
    // Not JSON (a proxy's HTML page, a cut connection): the status says enough.
  }
  const details: Record<string, number | string> = { status: response.status };
  if (code !== undefined) details.error = code;
  const text = message ?? `the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new LockstepClientError(ReplayLoadErrorCode.UNAVAILABLE, `replay unavailable: ${text}`, undefined, details);
}

function tooLarge(maxBytes: number): ReplayFormatError {
  return new ReplayFormatError(ReplayErrorCode.TOO_LARGE, `the replay document is larger than ${maxBytes} bytes (see loadReplay's maxBytes)`);
}
