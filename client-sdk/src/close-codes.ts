import { CloseCode } from "@colyseus/sdk";
import { LockstepCloseCode } from "../../src/protocol/index.ts";

/** RFC 6455 "message too big": the server's transport cut off a message over its size limit. */
export const MESSAGE_TOO_BIG = 1009;

/**
 * Close codes after which the seat is still held, so reconnecting makes sense: network loss
 * (1001, 1005, 1006) and a process handing its matches over (4010). Every other code is final.
 */
export const RECOVERABLE_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.GOING_AWAY,
  CloseCode.NO_STATUS_RECEIVED,
  CloseCode.ABNORMAL_CLOSURE,
  CloseCode.MAY_TRY_RECONNECT,
]);

/**
 * What each close code means to a lockstep client: the reason `onClose` reports when the
 * server sent none. Codes not listed are described by their number.
 */
export const CLOSE_CODE_DESCRIPTIONS: Readonly<Record<number, string>> = {
  [CloseCode.NORMAL_CLOSURE]: "closed normally",
  [CloseCode.GOING_AWAY]: "the server went away",
  [CloseCode.NO_STATUS_RECEIVED]: "closed without a status",
  [CloseCode.ABNORMAL_CLOSURE]: "connection lost",
  [MESSAGE_TOO_BIG]: "message too large",
  [CloseCode.CONSENTED]: "left or match over / kicked",
  [CloseCode.SERVER_SHUTDOWN]: "server shutting down",
  [CloseCode.WITH_ERROR]: "protocol error",
  [CloseCode.FAILED_TO_RECONNECT]: "reconnection failed",
  [CloseCode.MAY_TRY_RECONNECT]: "the match is moving to another process",
  [LockstepCloseCode.ABUSE]: "closed as abusive",
  [LockstepCloseCode.WAITING_TIMEOUT]: "the match did not start in time; the room closed",
};

/** The close reason the server sent, or else what the code means. */
export function describeClose(code: number, reason?: string): string {
  if (reason !== undefined && reason !== "") return reason;
  return CLOSE_CODE_DESCRIPTIONS[code] ?? `closed with code ${code}`;
}
