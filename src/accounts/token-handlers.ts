import type { NextFunction, Request, RequestHandler, Response } from "express";
import { bearerToken } from "../server/http/bearer-token.ts";
import { TOKEN_PROBLEM_MESSAGES, verifyToken, type TokenClaims } from "./tokens.ts";
import type { UserStore } from "./user-store.ts";

/** Turns an async handler's rejection into `next(error)`, where the server's JSON error handler answers it (500, or 503). */
export function handle(work: (request: Request, response: Response) => Promise<void>): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    work(request, response).catch(next);
  };
}

/** Answers 401 with the token's problem, or returns its verified, unrevoked claims (token as `Authorization: Bearer …`). */
export async function claimsOr401(store: UserStore, request: Request, response: Response): Promise<TokenClaims | undefined> {
  const claims = await verifyToken(bearerToken(request.headers.authorization), store);
  if (typeof claims !== "string") return claims;
  response.status(401).json({ error: claims, message: TOKEN_PROBLEM_MESSAGES[claims] });
  return undefined;
}
