/** Why joining a room failed, in words (the server's matchmaking errors are terse: `room "x" is locked`). */
export function joinFailure(error: unknown, code: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const room = code === undefined ? "the room" : `room ${code}`;
  if (/is locked|is full|maxClients/i.test(message)) return `${room} is full, or its match has started: create a room or join another`;
  if (/not found|has been disposed/i.test(message)) return `there is no ${room}: check the code`;
  if (/already plays or is joining/i.test(message)) return "you are already in as many matches as allowed: leave one first";
  if (/already in this room/i.test(message)) return "you are already in this room (in another tab?)";
  return message;
}

/** Close codes the page tells apart (the SDK's `CloseCode` and the server's `LockstepCloseCode`). */
const CLOSE = { NORMAL: 1000, ABNORMAL: 1006, CONSENTED: 4000, FAILED_TO_RECONNECT: 4003, WAITING_TIMEOUT: 4408, ABUSE: 4429 } as const;

/** Why the match is over for this page, from how its connection closed. */
export function closeNotice(code: number, reason: string, ended: boolean): string {
  if (ended) return "the match is over";
  if (/kicked/i.test(reason)) return "you were removed from the match by an operator";
  if (code === CLOSE.WAITING_TIMEOUT) return "nobody started a match in time: the room closed";
  if (code === CLOSE.FAILED_TO_RECONNECT || code === CLOSE.ABNORMAL) return "the server cannot be reached: the match is lost for this page";
  if (code === CLOSE.ABUSE) return "the server closed the connection: too many refused messages";
  if (code === CLOSE.NORMAL || code === CLOSE.CONSENTED) return "the room was closed";
  return `the room closed (${reason || `code ${code}`})`;
}
