import type { NextFunction, Request, RequestHandler, Response } from "express";
import { hasPermission, type Permission } from "./roles.ts";
import { TOKEN_PROBLEM_MESSAGES, bearerToken, verifyToken } from "./tokens.ts";
import type { UserStore } from "./user-store.ts";

/** Cookie that carries an admin's token to the monitor's own API calls after a `?token=` visit. */
export const GATE_COOKIE = "lockstep_token";

function cookieToken(request: Request): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === GATE_COOKIE) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/**
 * Lets through only requests whose token (Authorization header, or the gate cookie) is valid,
 * not revoked, and grants `permission`: 401 without a valid token, 403 with a token that
 * lacks the permission. A browser visit with `?token=` sets the cookie (HttpOnly, SameSite=Strict,
 * scoped to the mount path) and redirects to the same URL without the token.
 */
export function requirePermission(store: UserStore, permission: Permission, options: { secureCookie: boolean }): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    const queryToken = typeof request.query["token"] === "string" ? request.query["token"] : undefined;
    const token = bearerToken(request.headers.authorization) ?? queryToken ?? cookieToken(request);
    verifyToken(token, store).then((claims) => {
      if (typeof claims === "string") {
        response.status(401).json({ error: claims, message: TOKEN_PROBLEM_MESSAGES[claims] });
        return;
      }
      if (!hasPermission(claims.role, permission)) {
        response.status(403).json({ error: "forbidden", message: `the "${permission}" permission is required` });
        return;
      }
      if (queryToken !== undefined) {
        const path = request.baseUrl || "/";
        response.cookie(GATE_COOKIE, queryToken, { httpOnly: true, sameSite: "strict", secure: options.secureCookie, path });
        response.redirect(303, path + "/");
        return;
      }
      next();
    }, next);
  };
}
