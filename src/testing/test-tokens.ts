import { ErrorCode, ServerError } from "@colyseus/core";
import { DEFAULT_ROLE } from "../lockstep/identity.ts";
import type { TokenVerifier } from "../server/room-admission.ts";

const PREFIX = "test-player:";

/**
 * A login token the testing kit's verifier accepts: the player `uid`, named `name`, with `role`
 * (for rooms whose rules depend on it). Tests only: anyone can make one.
 */
export function testToken(uid: string, name: string = uid, role: string = DEFAULT_ROLE): string {
  return `${PREFIX}${[uid, name, role].map(encodeURIComponent).join(":")}`;
}

/**
 * The testing kit's token verifier: accepts {@link testToken}s (a token-gated room can then be
 * tested without accounts) and refuses anything else as the real verifiers do.
 */
export const testTokenVerifier: TokenVerifier = async (token) => {
  const [uid, name, role, extra] = token.startsWith(PREFIX) ? token.slice(PREFIX.length).split(":") : [];
  if (uid === undefined || name === undefined || role === undefined || extra !== undefined || uid === "") {
    throw new ServerError(ErrorCode.AUTH_FAILED, "not a test token");
  }
  return { id: decodeURIComponent(uid), name: decodeURIComponent(name), role: decodeURIComponent(role) };
};
