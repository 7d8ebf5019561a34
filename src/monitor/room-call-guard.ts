import { logger, matchMaker } from "@colyseus/core";
import type { NextFunction, Request, Response } from "express";
import { LockstepRoom } from "../lockstep/lockstep-room.ts";
import { describeOperator, logOperatorAction, operatorOf, type OperatorIdentity } from "../server/http/operator-log.ts";

export type { OperatorIdentity } from "../server/http/operator-log.ts";

/** A monitor room call a lockstep room accepts, as the room method it becomes. */
interface Translated {
  readonly what: string;
  readonly method: "endByOperator" | "kickSession";
  readonly args: unknown[];
}

/** The monitor's "broadcast" message type that ends the match, its data being the result. */
export const END_MATCH_BROADCAST = "end_match";

const ALLOWED =
  'lockstep rooms take only these calls from the monitor: Dispose (ends the match), Broadcast of type "end_match" (ends it with the data as its result), and disconnecting a client (kicks the player)';

/** The monitor's call (`method`, `args`) as a lockstep room action, or undefined if it is not one of the allowed ones. */
function translate(method: string, args: unknown[], operator: OperatorIdentity | undefined): Translated | undefined {
  if (method === "disconnect" && args.length <= 1) {
    return { what: "ended the match", method: "endByOperator", args: [{ ended_by: "operator", operator: operator?.name ?? "unknown" }] };
  }
  if (method === "broadcast" && args[0] === END_MATCH_BROADCAST) {
    return { what: `ended the match with result ${JSON.stringify(args[1] ?? null)}`, method: "endByOperator", args: [args[1] ?? null] };
  }
  if (method === "_forceClientDisconnect" && typeof args[0] === "string") {
    return { what: `kicked session ${args[0]}`, method: "kickSession", args: [args[0]] };
  }
  return undefined;
}

/** What this process knows of a room type: a lockstep room, another kind, or not defined here. */
function roomKind(roomName: string): "lockstep" | "other" | "unknown" {
  const roomClass = matchMaker.getRoomClass(roomName) as unknown;
  if (typeof roomClass !== "function") return "unknown";
  return roomClass.prototype instanceof LockstepRoom ? "lockstep" : "other";
}

/**
 * Guards `GET <monitor>/api/room/call`, the monitor's "call any room method" endpoint. For a
 * lockstep room only three calls pass, each turned into the room's own action and logged with
 * who made it: Dispose → `endByOperator` (the players get `match_end`), Broadcast of type
 * `end_match` → `endByOperator(data)`, disconnect client → `kickSession`; anything else
 * (editing state, sending messages, other methods) is refused with 403 `not_allowed`. Calls to
 * other rooms go on to the monitor unchanged; a room whose type this process does not define
 * (another process's, during a deploy) is refused, since it may be a lockstep room. Mount it behind the gate that admits operators.
 */
export async function guardRoomCalls(request: Request, response: Response, next: NextFunction): Promise<void> {
  try {
    const { roomId, method, args: rawArgs } = request.query;
    if (typeof roomId !== "string" || typeof method !== "string" || typeof rawArgs !== "string") {
      response.status(400).json({ error: "invalid_request", message: "roomId, method and args (a JSON array) are required" });
      return;
    }
    const listing = await matchMaker.driver.findOne({ roomId });
    if (listing === undefined || listing === null) {
      response.status(404).json({ error: "room_not_found", message: `no room ${roomId}` });
      return;
    }
    const kind = roomKind(listing.name);
    if (kind === "other") {
      next();
      return;
    }
    if (kind === "unknown") {
      // Another process runs a room type this one does not define (a deploy in progress): it may be a lockstep room, so no call passes.
      response
        .status(403)
        .json({ error: "not_allowed", message: `room type "${listing.name}" is not defined on this process; call it from one that defines it` });
      return;
    }
    let args: unknown;
    try {
      args = JSON.parse(rawArgs);
    } catch {
      args = undefined;
    }
    if (!Array.isArray(args)) {
      response.status(400).json({ error: "invalid_request", message: "args must be a JSON array" });
      return;
    }
    const action = translate(method, args, operatorOf(response));
    if (action === undefined) {
      logger.warn(`lockstep monitor: refused ${describeOperator(response)}'s call of ${method} on room ${roomId}`);
      response.status(403).json({ error: "not_allowed", message: ALLOWED });
      return;
    }
    const outcome = await matchMaker.remoteRoomCall(roomId, action.method as never, action.args as never);
    logOperatorAction("monitor", response, `${action.what} (${JSON.stringify(outcome)})`, roomId);
    response.json({ ok: true, outcome });
  } catch (error) {
    next(error);
  }
}
