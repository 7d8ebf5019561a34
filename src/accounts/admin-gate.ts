import type { NextFunction, Request, RequestHandler, Response } from "express";
import { hasPermission, type Permission } from "./roles.ts";
import { bearerToken } from "../server/http/bearer-token.ts";
import { TOKEN_PROBLEM_MESSAGES, verifyToken } from "./tokens.ts";
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
 * Where the gate cookie applies and where the `?token=` visit lands: for a gate mounted with
 * `app.use("/monitor", gate)`, the mount (`/monitor`) and the visited page (`/monitor/`); for one
 * on a single route (`app.get("/metrics", gate)`), that route's own path. Never `/`, so the
 * cookie reaches no other route, and never a `//` URL, which browsers read as another host.
 */
function cookieScope(request: Request): { path: string; landing: string } {
  const mounted = request.baseUrl !== "";
  const path = mounted ? request.baseUrl : request.path;
  const landing = (mounted ? request.baseUrl + request.path : request.path).replace(/^\/+/, "/");
  const query = new URLSearchParams(request.originalUrl.split("?")[1] ?? "");
  query.delete("token");
  const rest = query.toString();
  return { path, landing: rest === "" ? landing : `${landing}?${rest}` };
}

/**
 * Lets through only requests whose token (Authorization header, or the gate cookie) is valid,
 * not revoked, and grants `permission`: 401 without a valid token, 403 with a token that
 * lacks the permission. A browser visit with `?token=` sets the cookie (HttpOnly,
 * SameSite=Strict, scoped to the gated path: the mount, or the single route) and redirects to
 * the same address without the token. Failures to check the token (the user database is
 * down) go to the error handler (503).
 */
export function requirePermission(store: UserStore, permission: Permission, options: { secureCookie: boolean }): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    const queryToken = typeof request.query.token === "string" ? request.query.token : undefined;
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
      // Who is acting, for the routes behind the gate that log it (the monitor's actions).
      response.locals.operator = { uid: claims.id, name: claims.name, role: claims.role };
      if (queryToken !== undefined) {
        const scope = cookieScope(request);
        response.cookie(GATE_COOKIE, queryToken, { httpOnly: true, sameSite: "strict", secure: options.secureCookie, path: scope.path });
        response.redirect(303, scope.landing);
        return;
      }
      next();
    }, next);
  };
}
