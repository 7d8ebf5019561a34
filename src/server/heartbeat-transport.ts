import { WebSocketTransport } from "@colyseus/ws-transport";
import { StaggeredHeartbeat } from "./staggered-heartbeat.ts";

/**
 * Colyseus's WebSocket transport with its dead-connection check spread over time
 * ({@link StaggeredHeartbeat}) instead of one burst of pings to every connection. It overrides
 * the transport's protected `autoTerminateUnresponsiveClients(interval, maxRetries)`, which
 * Colyseus 0.18 calls once the HTTP server listens (only when the interval and the retries are
 * both above 0), with the same meaning: a ping every `interval` ms, closed after `maxRetries`
 * unanswered ones.
 */
export class HeartbeatTransport extends WebSocketTransport {
  #heartbeat: StaggeredHeartbeat | undefined;

  protected override autoTerminateUnresponsiveClients(pingInterval: number, pingMaxRetries: number): void {
    if (this.#heartbeat !== undefined) return;
    const heartbeat = new StaggeredHeartbeat(this.wss, pingInterval, pingMaxRetries);
    this.#heartbeat = heartbeat;
    this.server?.once("close", () => heartbeat.stop());
  }

  /** Connections the heartbeat watches (0 when it is off). */
  get watchedConnections(): number {
    return this.#heartbeat?.size ?? 0;
  }
}
