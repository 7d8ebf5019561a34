import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { TokenBucket } from "../lockstep/token-bucket.ts";

/**
 * Addresses tracked at once. Past it the longest-tracked one is forgotten (it gets a fresh
 * budget): memory stays bounded however many addresses a flood comes from.
 */
export const MAX_TRACKED_ADDRESSES = 10_000;
const MS_PER_MINUTE = 60_000;

/** Per-key request budgets (`perMinute` sustained, `burst` back to back), in a bounded map. */
export class KeyedRateLimiter {
  readonly perMinute: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(perMinute: number, burst: number) {
    this.perMinute = perMinute;
    this.#burst = burst;
  }

  /** Takes one request of `key`'s budget; returns the milliseconds to wait when there is none, else 0. */
  take(key: string, now: number = performance.now()): number {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_TRACKED_ADDRESSES) this.#buckets.delete(this.#buckets.keys().next().value!);
      bucket = new TokenBucket((this.perMinute / MS_PER_MINUTE) * 1000, this.#burst, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now) ? 0 : Math.max(1, bucket.msUntilToken(now));
  }
}

/**
 * Puts a per-address limit in front of Colyseus's matchmaking route (`POST /matchmake/...`),
 * which Colyseus serves before any express middleware. Every `request` listener of the HTTP
 * server (Colyseus's own) is wrapped: a request over its budget gets `429` with `Retry-After`
 * and a JSON body in Colyseus's error shape (`{ code, error }`), and never reaches the matchmaker.
 * The address is the socket's peer (behind a proxy, put the limit in the proxy as well).
 */
export function limitMatchmaking(server: HttpServer, limiter: KeyedRateLimiter): void {
  const listeners = server.listeners("request") as ((request: IncomingMessage, response: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === "POST" && request.url?.startsWith("/matchmake/")) {
      const waitMs = limiter.take(request.socket.remoteAddress ?? "unknown");
      if (waitMs > 0) {
        const body = JSON.stringify({ code: 429, error: `too many matchmaking requests from this address: at most ${limiter.perMinute} per minute` });
        response.writeHead(429, {
          "content-type": "application/json",
          "retry-after": String(Math.ceil(waitMs / 1000)),
          "access-control-allow-origin": request.headers.origin ?? "*",
          "access-control-allow-credentials": "true",
        });
        response.end(body);
        return;
      }
    }
    for (const listener of listeners) listener.call(server, request, response);
  });
}
