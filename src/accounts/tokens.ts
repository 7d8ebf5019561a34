import { JWT } from "@colyseus/auth";
import type { Role } from "./roles.ts";
import type { UserRecord, UserStore } from "./user-store.ts";

/** The claims of a login token. Rooms read identity and role from here, never from a message. */
export interface TokenClaims {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly anonymous: boolean;
  /** The user's token version when issued; a later logout or role change makes the token stale. */
  readonly tv: number;
}

/** Why a token was refused. */
export type TokenProblem = "missing" | "malformed" | "expired" | "bad_signature" | "revoked";

/** Human-readable reasons, shown to clients. */
export const TOKEN_PROBLEM_MESSAGES: Readonly<Record<TokenProblem, string>> = {
  missing: "a login token is required",
  malformed: "the token is malformed",
  expired: "the token has expired: log in again or refresh it",
  bad_signature: "the token signature is invalid",
  revoked: "the token was revoked (logged out or role changed): log in again",
};

/** Signs a token for a user, valid `ttlSeconds`. */
export function issueToken(user: UserRecord, ttlSeconds: number): Promise<string> {
  const claims: TokenClaims = { id: user.id, name: user.name, role: user.role, anonymous: user.anonymous, tv: user.tokenVersion };
  return JWT.sign(claims, { expiresIn: ttlSeconds });
}

/** The public view of a user, as the auth routes return it. */
export function publicUser(user: UserRecord): { id: string; email: string | null; name: string; role: Role; anonymous: boolean } {
  return { id: user.id, email: user.email, name: user.name, role: user.role, anonymous: user.anonymous };
}

/**
 * Verifies a token's signature and expiry, then that it was not revoked since it was issued.
 * Returns the claims, or the problem.
 */
export async function verifyToken(token: string | undefined, store: UserStore): Promise<TokenClaims | TokenProblem> {
  if (!token) return "missing";
  let claims: TokenClaims;
  try {
    claims = await JWT.verify<TokenClaims>(token);
  } catch (error) {
    const name = (error as { name?: string; message?: string }).name;
    const message = (error as { message?: string }).message ?? "";
    if (name === "TokenExpiredError") return "expired";
    if (message.includes("signature")) return "bad_signature";
    return "malformed";
  }
  if (typeof claims !== "object" || typeof claims.id !== "string" || typeof claims.tv !== "number") return "malformed";
  const user = await store.findById(claims.id);
  if (user === undefined || user.tokenVersion !== claims.tv) return "revoked";
  return claims;
}
