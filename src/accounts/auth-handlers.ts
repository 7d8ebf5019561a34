import { randomBytes } from "node:crypto";
import { Hash } from "@colyseus/auth";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { sanitizeName } from "../lockstep/identity.ts";
import type { SecurityConfig } from "./security-config.ts";
import { claimsOr401, handle } from "./token-handlers.ts";
import { TOKEN_PROBLEM_MESSAGES, issueToken, publicUser } from "./tokens.ts";
import type { UserStore } from "./user-store.ts";

/** Random bytes of the decoy password: as strong as any real one, and never used again. */
const DECOY_SECRET_BYTES = 32;

/** What the handlers need. */
export interface AuthHandlerDeps {
  readonly store: UserStore;
  readonly config: SecurityConfig;
}

/** Names for guests who gave none: short, readable, unlikely to collide in one room. */
export function guestName(): string {
  return `Guest-${Math.floor(1000 + Math.random() * 9000)}`;
}

/** The display name a client asked for in `options.name`, cleaned, if any is left. */
export function optionName(options: unknown): string | undefined {
  const name = (options as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && sanitizeName(name) !== "" ? sanitizeName(name) : undefined;
}

/**
 * `POST /auth/login`. An unknown email costs the same work as a wrong password: it is checked
 * against the hash of a random secret nobody knows, so the answer's timing does not reveal
 * which emails have accounts. Both get 401 `invalid_credentials`.
 */
export function login({ store, config }: AuthHandlerDeps): RequestHandler {
  // A real scrypt hash (same algorithm and cost as stored ones) of a secret thrown away at once.
  const decoyHash = Hash.make(randomBytes(DECOY_SECRET_BYTES).toString("hex"));
  return handle(async (request, response) => {
    const { email, password } = (request.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof email !== "string" || typeof password !== "string") {
      response.status(400).json({ error: "invalid_request", message: "send { email, password } as strings" });
      return;
    }
    const user = await store.findByEmail(email);
    const matches = await Hash.verify(password, user?.passwordHash ?? (await decoyHash));
    if (user === undefined || user.passwordHash === null || !matches) {
      response.status(401).json({ error: "invalid_credentials", message: "wrong email or password" });
      return;
    }
    response.json({ user: publicUser(user), token: await issueToken(user, config.tokenTtlSeconds) });
  });
}

/** `POST /auth/anonymous`: a stored guest account (optionally named by `options.name`) and its token. */
export function anonymous({ store, config }: AuthHandlerDeps): RequestHandler {
  return handle(async (request, response) => {
    const options = (request.body as { options?: unknown } | undefined)?.options;
    if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
      response.status(400).json({ error: "invalid_request", message: "options must be an object" });
      return;
    }
    const user = await store.create({ name: optionName(options) ?? guestName(), anonymous: true });
    response.json({ user: publicUser(user), token: await issueToken(user, config.tokenTtlSeconds) });
  });
}

/** `GET /auth/userdata`: the claims of a valid token that was not revoked (logout, role change). */
export function userdata({ store }: AuthHandlerDeps): RequestHandler {
  return handle(async (request, response) => {
    const claims = await claimsOr401(store, request, response);
    if (claims !== undefined) response.json({ user: claims });
  });
}

/** `POST /auth/refresh`: a fresh token carrying the user's current role. */
export function refresh({ store, config }: AuthHandlerDeps): RequestHandler {
  return handle(async (request, response) => {
    const claims = await claimsOr401(store, request, response);
    if (claims === undefined) return;
    const user = await store.findById(claims.id);
    if (user === undefined) {
      response.status(401).json({ error: "revoked", message: TOKEN_PROBLEM_MESSAGES.revoked });
      return;
    }
    response.json({ user: publicUser(user), token: await issueToken(user, config.tokenTtlSeconds) });
  });
}

/** `POST /auth/logout`: revokes every token of the user (sign out everywhere). */
export function logout({ store }: AuthHandlerDeps): RequestHandler {
  return handle(async (request, response) => {
    const claims = await claimsOr401(store, request, response);
    if (claims === undefined) return;
    await store.revokeTokens(claims.id);
    response.json({ ok: true });
  });
}

/** Answers a reused email with 409 before `@colyseus/auth` (which says 401) sees the registration. */
export function refuseTakenEmail({ store }: AuthHandlerDeps): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    const email = (request.body as { email?: unknown } | undefined)?.email;
    if (typeof email !== "string") return next();
    store
      .findByEmail(email)
      .then(
        (existing) =>
          existing === undefined ? next() : void response.status(409).json({ error: "email_already_in_use", message: "this email is already registered" }),
        next,
      );
  };
}

/**
 * Password reset and email confirmation need an email sender, which this server does not
 * configure: their routes answer 404 `not_supported` instead of pretending to send mail or
 * serving a reset form.
 */
export const notSupported: RequestHandler = (_request, response) => {
  response.status(404).json({ error: "not_supported", message: "password reset and email confirmation are not available on this server" });
};
