import { createHmac } from "node:crypto";

/** A JSON HTTP call to a test server: status, headers, parsed body and the raw text. */
export async function call(
  baseUrl: string,
  path: string,
  options: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    token?: string;
    cookie?: string;
    redirect?: "manual";
    /** Extra request headers (e.g. what a browser adds: `origin`, `sec-fetch-site`). */
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  const response = await fetch(baseUrl + path, {
    method: options.method ?? (body !== undefined ? "POST" : "GET"),
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.redirect ? { redirect: options.redirect } : {}),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

/** Signs an HS256 JWT by hand, to forge tokens with a wrong secret or a past expiry. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The code and message a promise is rejected with (a failed join, a refused request); throws if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: number }).code, message: (error as Error).message };
  }
  throw new Error("expected a rejection, but it was accepted");
}
