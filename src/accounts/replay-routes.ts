import express, { type Application, type Request, type RequestHandler, type Response } from "express";
import type { ReplayQuery, ReplayStore, ReplaySummary } from "../lockstep/replay-store.ts";
import { encodePageCursor, isIsoTimeParam, readPageCursor, type PageCursor } from "../server/http/page-cursor.ts";
import { refuseCrossSite } from "../server/http/same-origin.ts";
import { Permission, hasPermission } from "./roles.ts";
import { claimsOr401, handle } from "./token-handlers.ts";
import type { TokenClaims } from "./tokens.ts";
import type { UserStore } from "./user-store.ts";

/** Replays per listing page when the caller asks for no `limit`: a screenful. */
const DEFAULT_REPLAY_PAGE = 20;
/** The largest listing page, the bound of {@link ReplayStore.list}. */
const MAX_REPLAY_PAGE = 100;
/** Replay ids are match ids (UUIDs, 36 characters): a much longer one names no replay, and is answered without a query. */
const MAX_REPLAY_ID_LENGTH = 128;
/** Room names are the names rooms are registered under: a longer filter is a mistake, refused. */
const MAX_ROOM_FILTER_LENGTH = 128;
/** Uids are account ids (UUIDs) or session ids: a longer filter is a mistake, refused. */
const MAX_PLAYER_FILTER_LENGTH = 128;
/** Characters a replay id keeps in a download's file name; others become `_`, so the header stays well-formed. */
const FILE_NAME_UNSAFE = /[^A-Za-z0-9._-]/g;
/** Media type of a replay document (docs/PROTOCOL.md, "Replay document"). */
const REPLAY_CONTENT_TYPE = "application/vnd.colyseus-lockstep.replay";
/** Listings and documents are per caller and may be deleted: no shared cache keeps them, and no browser cache either. */
const NO_STORE = "private, no-store";

/** A listing's query as the caller wrote it, validated; who may see what is decided after. */
interface ListingParams {
  readonly limit: number;
  readonly before?: PageCursor;
  readonly since?: string;
  readonly roomName?: string;
  readonly player?: string;
  readonly includePublic: boolean;
}

function isAdmin(claims: TokenClaims): boolean {
  return hasPermission(claims.role, Permission.MANAGE_REPLAYS);
}

/** True if the caller may download the replay: an admin, one of its players, or anyone when it is public. */
function mayRead(claims: TokenClaims, summary: ReplaySummary): boolean {
  return summary.public || isAdmin(claims) || summary.players.some((player) => player.uid === claims.id);
}

function forbidden(response: Response, message: string): void {
  response.status(403).json({ error: "forbidden", message });
}

function replayNotFound(response: Response, message: string): void {
  response.status(404).json({ error: "replay_not_found", message });
}

/** A text filter of 1 to `max` characters, or undefined if `value` is not one. */
function textParam(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value !== "" && value.length <= max ? value : undefined;
}

/** A listing's query, validated, or the reason it is refused. Repeated parameters arrive as arrays and are refused. */
function listingParams(request: Request): ListingParams | string {
  const { limit, before, since, room, player } = request.query;
  const visibility = request.query.public;
  let pageSize = DEFAULT_REPLAY_PAGE;
  if (limit !== undefined) {
    const value = typeof limit === "string" && /^\d{1,3}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!(value >= 1 && value <= MAX_REPLAY_PAGE)) return `limit must be an integer from 1 to ${MAX_REPLAY_PAGE}`;
    pageSize = value;
  }
  const cursor = before === undefined ? undefined : readPageCursor(before, MAX_REPLAY_ID_LENGTH);
  if (before !== undefined && cursor === undefined) return "before must be the next_before of the previous page, or an ISO 8601 time";
  if (since !== undefined && !isIsoTimeParam(since)) return "since must be an ISO 8601 time";
  const roomName = room === undefined ? undefined : textParam(room, MAX_ROOM_FILTER_LENGTH);
  if (room !== undefined && roomName === undefined) return `room must be a room name of 1 to ${MAX_ROOM_FILTER_LENGTH} characters`;
  const playerUid = player === undefined ? undefined : textParam(player, MAX_PLAYER_FILTER_LENGTH);
  if (player !== undefined && playerUid === undefined) return `player must be a uid of 1 to ${MAX_PLAYER_FILTER_LENGTH} characters`;
  if (visibility !== undefined && visibility !== "1" && visibility !== "0") return "public must be 1 (include public replays) or 0";
  return {
    limit: pageSize,
    ...(cursor !== undefined ? { before: cursor } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(roomName !== undefined ? { roomName } : {}),
    ...(playerUid !== undefined ? { player: playerUid } : {}),
    includePublic: visibility === "1",
  };
}

/** `GET /replays`: a page of the summaries the caller may see, newest first. */
function listReplays(store: UserStore, replays: ReplayStore): RequestHandler {
  return handle(async (request, response) => {
    const claims = await claimsOr401(store, request, response);
    if (claims === undefined) return;
    const params = listingParams(request);
    if (typeof params === "string") {
      response.status(400).json({ error: "invalid_request", message: params });
      return;
    }
    const admin = isAdmin(claims);
    if (!admin && params.player !== undefined && params.player !== claims.id) {
      forbidden(response, `only your own uid may be the player filter without the "${Permission.MANAGE_REPLAYS}" permission`);
      return;
    }
    const { includePublic, before, ...rest } = params;
    const filters: ReplayQuery = {
      ...rest,
      ...(before !== undefined ? { before: before.time } : {}),
      ...(before?.id !== undefined ? { beforeId: before.id } : {}),
    };
    // Admins see every replay; anyone else only their own matches, and public ones if asked.
    const query: ReplayQuery = admin ? filters : { ...filters, visibleTo: claims.id, includePublic };
    const page = await replays.list(query);
    // A full page may have older replays after it; a short one is the last.
    const last = page.length === params.limit ? page.at(-1) : undefined;
    response.setHeader("cache-control", NO_STORE);
    response.json({ replays: page, next_before: last === undefined ? null : encodePageCursor(last.ended_at, last.id) });
  });
}

/** `GET /replays/:id`: the replay document, as a file to download. */
function downloadReplay(store: UserStore, replays: ReplayStore): RequestHandler {
  return handle(async (request, response) => {
    const claims = await claimsOr401(store, request, response);
    if (claims === undefined) return;
    const id = String(request.params.id);
    if (id.length > MAX_REPLAY_ID_LENGTH) {
      replayNotFound(response, `replay ids have at most ${MAX_REPLAY_ID_LENGTH} characters`);
      return;
    }
    // Who may read it is decided from the summary: a refused caller never costs a read of the document (up to 16 MiB).
    const summary = await replays.summary(id);
    if (summary === undefined) {
      replayNotFound(response, `no replay ${id}`);
      return;
    }
    if (!mayRead(claims, summary)) {
      forbidden(response, "this replay is private to the players of its match");
      return;
    }
    const replay = await replays.get(id);
    if (replay === undefined) {
      // Deleted between the two reads.
      replayNotFound(response, `no replay ${id}`);
      return;
    }
    const { document } = replay;
    response.status(200);
    response.setHeader("content-type", REPLAY_CONTENT_TYPE);
    response.setHeader("content-length", document.byteLength);
    response.setHeader("content-disposition", `attachment; filename="replay-${id.replace(FILE_NAME_UNSAFE, "_")}.lsrp"`);
    response.setHeader("cache-control", NO_STORE);
    response.setHeader("x-content-type-options", "nosniff");
    // `end`, not `send`: the bytes go as they are, with no ETag computed over a document nobody may cache.
    response.end(Buffer.from(document.buffer, document.byteOffset, document.byteLength));
  });
}

/** `DELETE /replays/:id`: admins only. */
function deleteReplay(store: UserStore, replays: ReplayStore): RequestHandler {
  return handle(async (request, response) => {
    const claims = await claimsOr401(store, request, response);
    if (claims === undefined) return;
    if (!isAdmin(claims)) {
      forbidden(response, `the "${Permission.MANAGE_REPLAYS}" permission is required`);
      return;
    }
    const id = String(request.params.id);
    if (id.length > MAX_REPLAY_ID_LENGTH) {
      replayNotFound(response, `replay ids have at most ${MAX_REPLAY_ID_LENGTH} characters`);
      return;
    }
    if (!(await replays.delete(id))) {
      replayNotFound(response, `no replay ${id}`);
      return;
    }
    response.json({ ok: true });
  });
}

/**
 * The `/replays` routes, for players and admins. Every route needs a valid, unrevoked login
 * token as `Authorization: Bearer <token>` (401 with the token's problem otherwise). Admins are
 * users whose role grants `Permission.MANAGE_REPLAYS`.
 *
 * - `GET /replays?limit=&before=&since=&room=&player=&public=1`: `{ replays, next_before }`,
 *   summaries newest first. A player sees the matches they played in, and with `public=1` also
 *   public ones; `player` may only be their own uid (403 `forbidden` otherwise). Admins see
 *   every replay and may filter by any player. `limit` 1..100 (default 20); `before` the
 *   `next_before` of the previous page (an opaque cursor) or an ISO time (strictly older);
 *   `since` (ended at or after) an ISO time; `room` a room name. A bad query is answered 400
 *   `invalid_request`. `next_before` is the cursor of the next page when this one is full, else
 *   null: paging through it lists every replay once, even several that ended in the same
 *   millisecond.
 * - `GET /replays/:id`: the replay document (`replay-<id>.lsrp`), to its players, to admins,
 *   and to anyone when it is public; 403 `forbidden` to others, 404 `replay_not_found`.
 * - `DELETE /replays/:id`: admins only (403 otherwise); `{ ok: true }`, or 404
 *   `replay_not_found`. Requests another site or origin could forge are refused (403
 *   `cross_origin_refused`).
 *
 * A failing store is passed to express's error handling (the server answers 500, or 503 when
 * the database cannot be reached).
 */
export function mountReplayRoutes(
  app: Application,
  options: {
    /** Where the users behind the tokens are checked (revocation, current role). */
    readonly store: UserStore;
    /** Where the replays are stored (with the accounts database: `openReplayStore`). */
    readonly replays: ReplayStore;
  },
): void {
  const { store, replays } = options;
  const router = express.Router();
  router.get("/", listReplays(store, replays));
  router.get("/:id", downloadReplay(store, replays));
  router.delete("/:id", refuseCrossSite, deleteReplay(store, replays));
  app.use("/replays", router);
}
