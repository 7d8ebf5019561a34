import { monitor, type MonitorOptions } from "@colyseus/monitor";
import express, { type Application, type RequestHandler } from "express";
import { refuseCrossSite } from "../server/http/same-origin.ts";
import { LOCKSTEP_MONITOR_COLUMNS } from "./monitor-columns.ts";
import { guardRoomCalls } from "./room-call-guard.ts";

/** Options of {@link mountLockstepMonitor}. */
export interface LockstepMonitorOptions {
  /** Where the monitor is served (default `/monitor`). */
  readonly path?: string;
  /** Who may open the monitor and read its API (e.g. `requirePermission(store, Permission.MONITOR, …)`). */
  readonly gate: RequestHandler;
  /** Who may act on rooms from it (end a match, kick a player); default `gate`. E.g. `requirePermission(store, Permission.MANAGE_MATCHES, …)`. */
  readonly actionGate?: RequestHandler;
  /** The rooms grid's columns (default {@link LOCKSTEP_MONITOR_COLUMNS}). */
  readonly columns?: MonitorOptions["columns"];
}

/**
 * Serves `@colyseus/monitor` as the lockstep operator's console, unmodified: its rooms grid
 * shows the lockstep columns, its room view the match as `LockstepRoom.inspect` describes it,
 * and its "call any room method" endpoint is narrowed to the lockstep actions (see
 * `guardRoomCalls`). Every route is behind `gate`; actions also behind `actionGate`; the API
 * refuses requests another site or origin could make with an operator's cookie.
 */
export function mountLockstepMonitor(app: Application, options: LockstepMonitorOptions): void {
  const router = express.Router();
  router.use("/api", refuseCrossSite);
  router.use(options.gate);
  // Without an action gate, the route-wide gate above already admitted the caller: it is not run twice.
  router.get("/api/room/call", ...(options.actionGate !== undefined ? [options.actionGate] : []), guardRoomCalls);
  router.use(monitor({ columns: options.columns ?? LOCKSTEP_MONITOR_COLUMNS }) as unknown as RequestHandler);
  app.use(options.path ?? "/monitor", router);
}
