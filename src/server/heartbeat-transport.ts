import { logger } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { StaggeredHeartbeat } from "./staggered-heartbeat.ts";

/** The part of a `ws` socket this transport touches. */
interface ErrorEmitter {
  listeners(event: "error"): unknown[];
  off(event: "error", listener: never): void;
  on(event: "error", listener: (error: Error) => void): void;
}

/**
 * Colyseus's WebSocket transport with its dead-connection check spread over time
 * ({@link StaggeredHeartbeat}) instead of one burst of pings to every connection. It overrides
 * the transport's protected `autoTerminateUnresponsiveClients(interval, maxRetries)`, which
 * Colyseus 0.18 calls once the HTTP server listens (only when the interval and the retries are
 * both above 0), with the same meaning: a ping every `interval` ms, closed after `maxRetries`
 * unanswered ones. Also, a socket error (a client's oversized or malformed frame, which `ws`
 * answers by closing the connection) is logged in one line rather than with a stack trace: it
 * is that client's doing, not a fault of the server.
 */
export class HeartbeatTransport extends WebSocketTransport {
  #heartbeat: StaggeredHeartbeat | undefined;

  protected override autoTerminateUnresponsiveClients(pingInterval: number, pingMaxRetries: number): void {
    if (this.#heartbeat !== undefined) return;
    const heartbeat = new StaggeredHeartbeat(this.wss, pingInterval, pingMaxRetries);
    this.#heartbeat = heartbeat;
    this.server?.once("close", () => heartbeat.stop());
  }

  protected override onConnection(...args: Parameters<WebSocketTransport["onConnection"]>): Promise<void> {
    const rawClient = args[0] as unknown as ErrorEmitter;
    const before = new Set(rawClient.listeners("error"));
    // Colyseus adds its error printer first thing, before its first await.
    const connected = super.onConnection(...args);
    for (const listener of rawClient.listeners("error")) if (!before.has(listener)) rawClient.off("error", listener as never);
    rawClient.on("error", (error) => logger.warn(`lockstep: a client's connection failed and was closed: ${error.message}`));
    return connected;
  }

  /** Connections the heartbeat watches (0 when it is off). */
  get watchedConnections(): number {
    return this.#heartbeat?.size ?? 0;
  }
}
