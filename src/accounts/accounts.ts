import { ErrorCode, ServerError } from "@colyseus/core";
import { JWT, auth } from "@colyseus/auth";
import type { Application, Request, Response } from "express";
import { sanitizeName } from "../lockstep/identity.ts";
import type { TokenVerifier, VerifiedIdentity } from "../server/room-admission.ts";
import { boundedJsonBody, perMinuteLimit } from "./request-guards.ts";
import { Role } from "./roles.ts";
import type { SecurityConfig } from "./security-config.ts";
import { TOKEN_PROBLEM_MESSAGES, bearerToken, issueToken, publicUser, verifyToken } from "./tokens.ts";
import type { UserStore } from "./user-store.ts";

/** Prefix of the auth routes (the `@colyseus/auth` default, which `@colyseus/sdk` expects). */
export const AUTH_PREFIX = "/auth";

/** What {@link installAccounts} needs. */
export interface AccountsOptions {
  readonly store: UserStore;
  readonly config: SecurityConfig;
}

/** Names for guests who gave none: short, readable, unlikely to collide in one room. */
function guestName(): string {
  return `Guest-${Math.floor(1000 + Math.random() * 9000)}`;
}

function optionName(options: unknown): string | undefined {
  const name = (options as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && sanitizeName(name) !== "" ? sanitizeName(name) : undefined;
}

/**
 * Wires accounts into the process: `@colyseus/auth` callbacks on the user store (register,
 * login, guests, tokens with id, name, role and a revocable version) and the JWT secret. Rooms
 * check tokens through {@link accountsTokenVerifier}, passed to `createLockstepServer`.
 */
export function installAccounts({ store, config }: AccountsOptions): void {
  JWT.settings.secret = config.jwtSecret;
  JWT.settings.revocationCheck = async (payload: { id?: string; tv?: number }) => {
    const user = payload.id === undefined ? undefined : await store.findById(payload.id);
    return user !== undefined && user.tokenVersion === payload.tv;
  };

  Object.assign(auth.settings, {
    onFindUserByEmail: async (email: string) => {
      const user = await store.findByEmail(email);
      return user === undefined || user.passwordHash === null ? null : { ...publicUser(user), password: user.passwordHash };
    },
    onRegisterWithEmailAndPassword: async (email: string, passwordHash: string, options: unknown) => {
      const role = config.adminEmails.includes(email.trim().toLowerCase()) ? Role.ADMIN : Role.PLAYER;
      return publicUser(await store.create({ email, passwordHash, name: optionName(options) ?? email.split("@")[0]!, role }));
    },
    onRegisterAnonymously: async (options: unknown) =>
      publicUser(await store.create({ name: optionName(options) ?? guestName(), anonymous: true })),
    onGenerateToken: async (user: { id: string }) => {
      const record = await store.findById(user.id);
      if (record === undefined) throw new Error("user_not_found");
      return issueToken(record, config.tokenTtlSeconds);
    },
    onParseToken: (claims: unknown) => claims,
  });

}

/**
 * Verifies login tokens for `createLockstepServer({ auth })`: signature, expiry, and that the
 * token was not revoked (logout, role change). A refused token fails the join with the reason.
 */
export function accountsTokenVerifier(store: UserStore): TokenVerifier {
  return async (token) => {
    const claims = await verifyToken(token, store);
    if (typeof claims === "string") throw new ServerError(ErrorCode.AUTH_FAILED, TOKEN_PROBLEM_MESSAGES[claims]);
    return claims as unknown as VerifiedIdentity;
  };
}

async function refresh(store: UserStore, config: SecurityConfig, request: Request, response: Response): Promise<void> {
  const claims = await verifyToken(bearerToken(request.headers.authorization), store);
  if (typeof claims === "string") {
    response.status(401).json({ error: claims, message: TOKEN_PROBLEM_MESSAGES[claims] });
    return;
  }
  const user = (await store.findById(claims.id))!;
  response.json({ user: publicUser(user), token: await issueToken(user, config.tokenTtlSeconds) });
}

async function logout(store: UserStore, request: Request, response: Response): Promise<void> {
  const claims = await verifyToken(bearerToken(request.headers.authorization), store);
  if (typeof claims === "string") {
    response.status(401).json({ error: claims, message: TOKEN_PROBLEM_MESSAGES[claims] });
    return;
  }
  await store.revokeTokens(claims.id);
  response.json({ ok: true });
}

/**
 * Mounts the auth routes under `/auth`, behind a per-IP rate limit and a body size bound:
 * `@colyseus/auth`'s register, login, anonymous and userdata, plus `refresh` (a fresh token,
 * with the current role) and `logout` (revokes every token of the user).
 */
export function mountAuthRoutes(app: Application, { store, config }: AccountsOptions): void {
  app.use(AUTH_PREFIX, perMinuteLimit(config.authRequestsPerMinute), ...boundedJsonBody(config.maxAuthBodyBytes));
  // Answer a reused email with 409 before @colyseus/auth (which says 401) sees it.
  app.post(`${AUTH_PREFIX}/register`, (request, response, next) => {
    const email = (request.body as { email?: unknown } | undefined)?.email;
    if (typeof email !== "string") return next();
    store.findByEmail(email).then(
      (existing) => (existing === undefined ? next() : void response.status(409).json({ error: "email_already_in_use", message: "this email is already registered" })),
      next,
    );
  });
  app.post(`${AUTH_PREFIX}/refresh`, (request, response, next) => {
    refresh(store, config, request, response).catch(next);
  });
  app.post(`${AUTH_PREFIX}/logout`, (request, response, next) => {
    logout(store, request, response).catch(next);
  });
  app.use(auth.routes());
}
