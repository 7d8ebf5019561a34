import type { NextFunction, Request, Response } from "express";
import { bearerToken } from "./bearer-token.ts";

/** `Sec-Fetch-Site` values of a request made by this server's own pages, or typed/bookmarked by the user. */
const OWN_FETCH_SITES = new Set(["same-origin", "none"]);

/** True if the request brings its own token (header or `?token=`) rather than relying on a cookie a browser adds by itself. */
function carriesExplicitToken(request: Request): boolean {
  return bearerToken(request.headers.authorization) !== undefined || typeof request.query.token === "string";
}

/** The `host:port` of an `Origin` header, or undefined for `null` and anything unparsable. */
function originHost(origin: string): string | undefined {
  try {
    return origin === "null" ? undefined : new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Why a request must be refused as coming from another site or origin, or undefined if it may
 * proceed. Refused: a `Sec-Fetch-Site` other than `same-origin`/`none`, or an `Origin` whose
 * host differs from the request's `Host` (the scheme is not compared, so a TLS-terminating
 * proxy that forwards `Host` works). A request with neither header (scripts, curl) passes only
 * if it brings its own token: a cookie alone proves nothing about who made the request.
 */
function crossSiteProblem(request: Request): string | undefined {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string" && !OWN_FETCH_SITES.has(site)) return `a ${site} request`;
  const origin = request.headers.origin;
  if (typeof origin === "string") {
    return originHost(origin) === request.headers.host ? undefined : `a request from origin ${origin}`;
  }
  if (typeof site === "string" || carriesExplicitToken(request)) return undefined;
  return "a request without Origin, Sec-Fetch-Site or a token of its own";
}

/**
 * Refuses, with 403 `cross_origin_refused`, requests to operator routes that another site or
 * origin could have made with an operator's cookie (cross-site request forgery): the monitor's
 * API, which can call room methods, and the admin routes. Mount it before the permission gate.
 */
export function refuseCrossSite(request: Request, response: Response, next: NextFunction): void {
  const problem = crossSiteProblem(request);
  if (problem === undefined) {
    next();
    return;
  }
  response.status(403).json({
    error: "cross_origin_refused",
    message: `${problem} cannot use operator routes: open them from this server's own pages, or send Authorization: Bearer <token> without an Origin`,
  });
}
