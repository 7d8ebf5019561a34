import { ErrorCode, ServerError } from "@colyseus/core";
import { JWT, auth } from "@colyseus/auth";
import { APIError } from "@colyseus/better-call";
import type { Application } from "express";
import type { TokenVerifier, VerifiedIdentity } from "../server/room-admission.ts";
import { anonymous, login, logout, notSupported, optionName, refresh, refuseTakenEmail, userdata } from "./auth-handlers.ts";
import { DatabaseUnavailableError } from "./database-errors.ts";
import { boundedJsonBody } from "../server/http/bounded-json.ts";
import { perMinuteLimit } from "./rate-limit.ts";
import { Role } from "./roles.ts";
import type { SecurityConfig } from "./security-config.ts";
import { TOKEN_PROBLEM_MESSAGES, issueToken, publicUser, verifyToken } from "./tokens.ts";
import type { UserStore } from "./user-store.ts";

/** Prefix of the auth routes (the `@colyseus/auth` default, which `@colyseus/sdk` expects). */
export const AUTH_PREFIX = "/auth";

/** What {@link installAccounts} needs. */
export interface AccountsOptions {
  readonly store: UserStore;
  readonly config: SecurityConfig;
}

/**
 * Runs a store call for `@colyseus/auth`, which turns any error into 401 carrying the error's
 * message, except its own `APIError`: an unavailable database becomes 503 `database_unavailable`.
 */
async function forAuth<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) throw new APIError(error.status, { error: error.code, message: error.message });
    throw error;
  }
}

/**
 * Wires accounts into the process: `@colyseus/auth` callbacks on the user store (register and
 * tokens with id, name, role and a revocable version) and the JWT secret. Rooms check tokens
 * through {@link accountsTokenVerifier}, passed to `createLockstepServer`. `@colyseus/auth`'s
 * settings are module-wide, so this is one setup per process; no room class is changed.
 */
export function installAccounts({ store, config }: AccountsOptions): void {
  JWT.settings.secret = config.jwtSecret;
  JWT.settings.revocationCheck = async (payload: { id?: string; tv?: number }) => {
    const user = payload.id === undefined ? undefined : await store.findById(payload.id);
    return user !== undefined && user.tokenVersion === payload.tv;
  };

  Object.assign(auth.settings, {
    onFindUserByEmail: (email: string) =>
      forAuth(async () => {
        const user = await store.findByEmail(email);
        return user === undefined || user.passwordHash === null ? null : { ...publicUser(user), password: user.passwordHash };
      }),
    onRegisterWithEmailAndPassword: (email: string, passwordHash: string, options: unknown) =>
      forAuth(async () => {
        const role = config.adminEmails.includes(email.trim().toLowerCase()) ? Role.ADMIN : Role.PLAYER;
        return publicUser(await store.create({ email, passwordHash, name: optionName(options) ?? email.split("@")[0]!, role }));
      }),
    onGenerateToken: (user: { id: string }) =>
      forAuth(async () => {
        const record = await store.findById(user.id);
        if (record === undefined) throw new Error("user_not_found");
        return issueToken(record, config.tokenTtlSeconds);
      }),
    onParseToken: (claims: unknown) => claims,
  });
}

/**
 * Verifies login tokens for `createLockstepServer({ auth })`: signature, expiry, and that the
 * token was not revoked (logout, role change). A refused token fails the join with the reason;
 * an unavailable user database fails it with 503 (Colyseus answers matchmaking with the code
 * as HTTP status), never with a hang or "seat reservation expired".
 */
export function accountsTokenVerifier(store: UserStore): TokenVerifier {
  return async (token) => {
    let claims: Awaited<ReturnType<typeof verifyToken>>;
    try {
      claims = await verifyToken(token, store);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) throw new ServerError(error.status, error.message);
      throw error;
    }
    if (typeof claims === "string") throw new ServerError(ErrorCode.AUTH_FAILED, TOKEN_PROBLEM_MESSAGES[claims]);
    return claims as unknown as VerifiedIdentity;
  };
}

/**
 * Mounts the auth routes under `/auth`, behind a per-IP rate limit and a body size and depth
 * bound. `@colyseus/auth` serves register; this project serves login (equal work for unknown
 * emails), anonymous, userdata (revocation-checked), `refresh` (a fresh token, with the current
 * role) and `logout` (revokes every token of the user), so that each answers 503
 * `database_unavailable` when the user database is down. Password reset and email confirmation
 * answer 404 `not_supported` (no email sender is configured).
 */
export function mountAuthRoutes(app: Application, { store, config }: AccountsOptions): void {
  const deps = { store, config };
  app.use(AUTH_PREFIX, perMinuteLimit(config.authRequestsPerMinute), ...boundedJsonBody(config.maxAuthBodyBytes));
  app.post(`${AUTH_PREFIX}/register`, refuseTakenEmail(deps));
  app.post(`${AUTH_PREFIX}/login`, login(deps));
  app.post(`${AUTH_PREFIX}/anonymous`, anonymous(deps));
  app.get(`${AUTH_PREFIX}/userdata`, userdata(deps));
  app.post(`${AUTH_PREFIX}/refresh`, refresh(deps));
  app.post(`${AUTH_PREFIX}/logout`, logout(deps));
  for (const route of ["forgot-password", "reset-password", "confirm-email"]) app.all(`${AUTH_PREFIX}/${route}`, notSupported);
  app.use(auth.routes());
}
