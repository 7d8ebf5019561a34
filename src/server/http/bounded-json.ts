import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.ts";

function limitDepth(request: Request, response: Response, next: NextFunction): void {
  if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
    response.status(400).json({ error: "body_too_deep", message: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels` });
    return;
  }
  next();
}

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

function requireJson(request: Request, response: Response, next: NextFunction): void {
  // `is` answers null without a body and false for another type; an empty body has no type to check.
  const empty = request.headers["content-length"] === "0";
  if (METHODS_WITH_BODY.has(request.method) && !empty && request.is("application/json") === false) {
    response.status(415).json({ error: "unsupported_media_type", message: "send the body as application/json" });
    return;
  }
  next();
}

const jsonErrors: ErrorRequestHandler = (error: { status?: number; type?: string; message?: string }, _request, response, next) => {
  if (error.type === "entity.too.large") {
    response.status(413).json({ error: "body_too_large", message: error.message });
  } else if (error.type === "entity.parse.failed") {
    response.status(400).json({ error: "malformed_json", message: "the body is not valid JSON" });
  } else {
    next(error);
  }
};

/**
 * Parses JSON bodies of at most `maxBytes` (counted as they stream, so chunked bodies are
 * bounded too) and answers oversized (413), malformed (400), too deeply nested (400, over
 * {@link MAX_JSON_DEPTH} levels) or non-JSON (415) bodies with a JSON error. Handlers
 * downstream, `@colyseus/auth`'s included, reuse the parsed body.
 */
export function boundedJsonBody(maxBytes: number): RequestHandler[] {
  return [requireJson, express.json({ limit: maxBytes, strict: true }), jsonErrors as unknown as RequestHandler, limitDepth];
}
