import { ErrorCode, ServerError } from "@colyseus/core";
import type { TokenVerifier } from "../server/room-admission.ts";

const PREFIX = "test-player:";

/** A login token the testing kit's verifier accepts: the player `uid`, named `name`. Tests only: anyone can make one. */
export function testToken(uid: string, name: string = uid): string {
  return `${PREFIX}${encodeURIComponent(uid)}:${encodeURIComponent(name)}`;
}

/**
 * The testing kit's token verifier: accepts {@link testToken}s (a token-gated room can then be
 * tested without accounts) and refuses anything else as the real verifiers do.
 */
export const testTokenVerifier: TokenVerifier = async (token) => {
  const [uid, name] = token.startsWith(PREFIX) ? token.slice(PREFIX.length).split(":") : [];
  if (uid === undefined || name === undefined || uid === "") throw new ServerError(ErrorCode.AUTH_FAILED, "not a test token");
  return { id: decodeURIComponent(uid), name: decodeURIComponent(name), role: "player" };
};
