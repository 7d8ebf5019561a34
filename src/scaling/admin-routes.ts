import { matchMaker } from "@colyseus/core";
import express, { type Application, type Request, type RequestHandler, type Response, type Router } from "express";
import type { DesyncReportQuery, DesyncReportStore } from "../lockstep/desync-report.ts";
import { boundedJsonBody } from "../server/http/bounded-json.ts";
import { logOperatorAction, operatorOf } from "../server/http/operator-log.ts";
import { encodePageCursor, readPageCursor } from "../server/http/page-cursor.ts";
import { refuseCrossSite } from "../server/http/same-origin.ts";

/** Admin request bodies are a uid or a small result object. */
const MAX_ADMIN_BODY_BYTES = 16 * 1024;
/** Reports per listing page when the operator asks for no `limit`: a screenful. */
const DEFAULT_DESYNC_PAGE = 20;
/** The largest listing page, the bound of {@link DesyncReportStore.list}. */
const MAX_DESYNC_PAGE = 100;
/** Report ids are UUIDs (36 characters): a longer one names no report, and is answered without a query. */
const MAX_REPORT_ID_LENGTH = 64;
/** Room ids are short (Colyseus's have 9 characters): a longer filter is a mistake, refused. */
const MAX_ROOM_FILTER_LENGTH = 128;
/** Characters a report id keeps in a download's file name; others become `_`, so the header stays well-formed. */
const FILE_NAME_UNSAFE = /[^A-Za-z0-9._-]/g;

function roomNotFound(response: Response, roomId: string): void {
  response.status(404).json({ error: "room_not_found", message: `no room ${roomId}` });
}

/** Runs a method of a room wherever it lives (this process or another, through presence IPC). */
async function callRoom(request: Request, response: Response, method: string, args: unknown[]): Promise<unknown> {
  const roomId = String(request.params.roomId);
  const listing = await matchMaker.driver.findOne({ roomId });
  if (listing === undefined || listing === null) {
    roomNotFound(response, roomId);
    return undefined;
  }
  return matchMaker.remoteRoomCall(roomId, method as never, args as never);
}

function invalidRequest(response: Response, message: string): void {
  response.status(400).json({ error: "invalid_request", message });
}

function reportNotFound(response: Response, message: string): void {
  response.status(404).json({ error: "report_not_found", message });
}

/** A listing's query, validated, or the reason it is refused. */
function listingQuery(request: Request): DesyncReportQuery | string {
  const { limit, before, room } = request.query;
  let pageSize = DEFAULT_DESYNC_PAGE;
  if (limit !== undefined) {
    const value = typeof limit === "string" && /^\d{1,3}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!(value >= 1 && value <= MAX_DESYNC_PAGE)) return `limit must be an integer from 1 to ${MAX_DESYNC_PAGE}`;
    pageSize = value;
  }
  const cursor = before === undefined ? undefined : readPageCursor(before, MAX_REPORT_ID_LENGTH);
  if (before !== undefined && cursor === undefined) return "before must be the next_before of the previous page, or an ISO 8601 time";
  if (room !== undefined && (typeof room !== "string" || room === "" || room.length > MAX_ROOM_FILTER_LENGTH)) {
    return `room must be a room id of 1 to ${MAX_ROOM_FILTER_LENGTH} characters`;
  }
  return {
    limit: pageSize,
    ...(cursor !== undefined ? { before: cursor.time } : {}),
    ...(cursor?.id !== undefined ? { beforeId: cursor.id } : {}),
    ...(room !== undefined ? { roomId: room } : {}),
  };
}

/** `GET /desyncs` (a page of summaries, newest first) and `GET /desyncs/:id` (a report, as a file to download). */
function mountDesyncRoutes(router: Router, reports: DesyncReportStore): void {
  router.get("/desyncs", async (request, response, next) => {
    try {
      const query = listingQuery(request);
      if (typeof query === "string") {
        invalidRequest(response, query);
        return;
      }
      const page = await reports.list(query);
      // A full page may have older reports after it; a short one is the last.
      const last = page.length === query.limit ? page.at(-1) : undefined;
      response.json({ reports: page, next_before: last === undefined ? null : encodePageCursor(last.created_at, last.id) });
    } catch (error) {
      next(error);
    }
  });

  router.get("/desyncs/:id", async (request, response, next) => {
    try {
      const id = String(request.params.id);
      if (id.length > MAX_REPORT_ID_LENGTH) {
        reportNotFound(response, `report ids have at most ${MAX_REPORT_ID_LENGTH} characters`);
        return;
      }
      const report = await reports.get(id);
      if (report === undefined) {
        reportNotFound(response, `no desync report ${id}`);
        return;
      }
      response.setHeader("content-disposition", `attachment; filename="desync-${id.replace(FILE_NAME_UNSAFE, "_")}.json"`);
      response.json(report);
    } catch (error) {
      next(error);
    }
  });
}

/**
 * Operator routes under `/admin`, working across processes: list rooms with the process that
 * runs each, inspect a match, end it, kick a player. `gate` decides who may (with the accounts
 * module: `requirePermission(store, Permission.MANAGE_MATCHES, …)`). Requests another site or
 * origin could forge with an operator's cookie are refused (403 `cross_origin_refused`); bodies
 * are bounded JSON (413, 400, 415 as JSON errors).
 *
 * With `desyncReports`, also the stored desync reports:
 * - `GET /admin/desyncs?limit=&before=&room=`: `{ reports, next_before }`, summaries newest
 *   first; `limit` 1..100 (default 20), `before` the `next_before` of the previous page (an
 *   opaque cursor) or an ISO time (strictly older), `room` a room id. `next_before` is the
 *   cursor of the next page when this one is full, else null: paging through it lists every
 *   report once, even several created in the same millisecond. A bad query is answered 400
 *   `invalid_request`.
 * - `GET /admin/desyncs/:id`: the whole report, as a JSON file to download
 *   (`desync-<id>.json`), or 404 `report_not_found`.
 *
 * A failing store is passed to express's error handling (the server answers 500, or 503 when
 * the database cannot be reached).
 */
export function mountAdminRoutes(
  app: Application,
  options: {
    /** Decides who may use the routes: calls `next()` to let a request through, or answers it. */
    readonly gate: RequestHandler;
    /** Where desync reports are stored; without it, the `/admin/desyncs` routes are not mounted. */
    readonly desyncReports?: DesyncReportStore;
  },
): void {
  const router = express.Router();
  router.use(refuseCrossSite, options.gate, ...boundedJsonBody(MAX_ADMIN_BODY_BYTES));
  if (options.desyncReports !== undefined) mountDesyncRoutes(router, options.desyncReports);

  router.get("/rooms", async (_request, response, next) => {
    try {
      const [rooms, processes] = await Promise.all([matchMaker.query({}), matchMaker.stats.fetchAll()]);
      response.json({
        processId: matchMaker.processId,
        // This process's own counters, and what every process last published to presence: they must agree with the listings.
        local: { roomCount: matchMaker.stats.local.roomCount, ccu: matchMaker.stats.local.ccu },
        processes,
        rooms: rooms.map((room) => ({
          roomId: room.roomId,
          name: room.name,
          processId: room.processId,
          publicAddress: room.publicAddress,
          clients: room.clients,
          locked: room.locked,
          hostedHere: matchMaker.getLocalRoomById(room.roomId) !== undefined,
        })),
      });
    } catch (error) {
      next(error);
    }
  });

  router.get("/rooms/:roomId", async (request, response, next) => {
    try {
      const inspected = await callRoom(request, response, "inspect", []);
      if (!response.headersSent) response.json(inspected);
    } catch (error) {
      next(error);
    }
  });

  router.post("/rooms/:roomId/end", async (request, response, next) => {
    try {
      // Without a result, the same one the monitor's Dispose gives: who ended it.
      const result = (request.body as { result?: unknown } | undefined)?.result ?? { ended_by: "operator", operator: operatorOf(response)?.name ?? "unknown" };
      await callRoom(request, response, "endMatch", [result]);
      if (response.headersSent) return;
      logOperatorAction("admin", response, `ended the match with result ${JSON.stringify(result)}`, String(request.params.roomId));
      response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });

  router.post("/rooms/:roomId/kick", async (request, response, next) => {
    try {
      const uid = (request.body as { uid?: unknown } | undefined)?.uid;
      if (typeof uid !== "string") {
        response.status(400).json({ error: "invalid_request", message: "send { uid }" });
        return;
      }
      const kicked = await callRoom(request, response, "kickPlayer", [uid]);
      if (response.headersSent) return;
      if (kicked !== true) response.status(404).json({ error: "player_not_found", message: `no player ${uid} in this room` });
      else {
        logOperatorAction("admin", response, `kicked player ${uid}`, String(request.params.roomId));
        response.json({ ok: true });
      }
    } catch (error) {
      next(error);
    }
  });

  app.use("/admin", router);
}
