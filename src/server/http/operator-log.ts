import { logger } from "@colyseus/core";
import type { Response } from "express";

/** Who made an operator call, as a gate puts it in `response.locals.operator` (the accounts module's `requirePermission` does). */
export interface OperatorIdentity {
  readonly uid: string;
  readonly name: string;
  readonly role: string;
}

/** The operator a gate admitted for this response, if it said who. */
export function operatorOf(response: Response): OperatorIdentity | undefined {
  const operator = response.locals.operator as OperatorIdentity | undefined;
  return typeof operator?.uid === "string" ? operator : undefined;
}

/** `Ada (u-1)`, or `an operator` when the gate did not say who. */
export function describeOperator(response: Response): string {
  const operator = operatorOf(response);
  return operator === undefined ? "an operator" : `${operator.name} (${operator.uid})`;
}

/** One line per operator action: when, who, what, in which room (`source`: `admin` or `monitor`). */
export function logOperatorAction(source: string, response: Response, what: string, roomId: string): void {
  logger.info(`lockstep ${source}: ${new Date().toISOString()} ${describeOperator(response)} ${what} in room ${roomId}`);
}
