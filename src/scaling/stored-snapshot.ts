import { logger } from "@colyseus/core";
import type { VerifiedSnapshot } from "../lockstep/snapshot-keeper.ts";

/**
 * The snapshot kept in a match's journal, or undefined (logged) if the stored text is not one.
 * A snapshot only shortens catch-up, so a damaged one is dropped rather than failing the
 * resumption: late joiners then catch up from the log until the next verified snapshot.
 */
export function readStoredSnapshot(roomId: string, text: string): VerifiedSnapshot | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as { frame?: unknown; state?: unknown } | undefined;
  if (typeof candidate === "object" && candidate !== null && Number.isSafeInteger(candidate.frame) && typeof candidate.state === "string") {
    return { frame: candidate.frame as number, state: candidate.state };
  }
  logger.warn(`lockstep: the stored snapshot of match ${roomId} is not readable; catch-up uses the frame log until the next one`);
  return undefined;
}
