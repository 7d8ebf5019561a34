import { matchMaker } from "@colyseus/core";
import express, { type Application, type Request, type RequestHandler, type Response } from "express";
import { boundedJsonBody } from "../server/http/bounded-json.ts";
import { refuseCrossSite } from "../server/http/same-origin.ts";

/** Admin request bodies are a uid or a small result object. */
const MAX_ADMIN_BODY_BYTES = 16 * 1024;

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

/**
 * Operator routes under `/admin`, working across processes: list rooms with the process that
 * runs each, inspect a match, end it, kick a player. `gate` decides who may (with the accounts
 * module: `requirePermission(store, Permission.MANAGE_MATCHES, …)`). Requests another site or
 * origin could forge with an operator's cookie are refused (403 `cross_origin_refused`); bodies
 * are bounded JSON (413, 400, 415 as JSON errors).
 */
export function mountAdminRoutes(app: Application, options: { readonly gate: RequestHandler }): void {
  const router = express.Router();
  router.use(refuseCrossSite, options.gate, ...boundedJsonBody(MAX_ADMIN_BODY_BYTES));

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
      const result = (request.body as { result?: unknown } | undefined)?.result ?? { endedBy: "operator" };
      await callRoom(request, response, "endMatch", [result]);
      if (!response.headersSent) response.json({ ok: true });
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
      else response.json({ ok: true });
    } catch (error) {
      next(error);
    }
  });

  app.use("/admin", router);
}
