import { createConnection, createServer, type Server, type Socket } from "node:net";

/** What a proxy does with traffic: forward it, hold it (a stalled peer), or refuse new connections (a peer that is down). */
export type ProxyMode = "forward" | "stall" | "refuse";

/**
 * A TCP proxy on an ephemeral loopback port in front of a real service (PostgreSQL, Redis),
 * for injecting the faults a network or a restart causes: `cut()` resets every open
 * connection (as a service restart does), `stall()` stops moving bytes both ways (a hung
 * service: connections stay open, nothing answers), `refuse()` refuses new connections (the
 * service is down), `forward()` heals.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  #mode: ProxyMode = "forward";
  #port = 0;
  #refused = 0;
  readonly #refusedWaiters: { count: number; resolve: () => void }[] = [];

  private constructor(targetHost: string, targetPort: number) {
    this.#targetHost = targetHost;
    this.#targetPort = targetPort;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy to `host:port` and resolves once it listens. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once("error", reject);
      proxy.#server.listen(0, "127.0.0.1", () => resolve());
    });
    proxy.#port = (proxy.#server.address() as { port: number }).port;
    return proxy;
  }

  /** The loopback port to connect to instead of the service's. */
  get port(): number {
    return this.#port;
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Connections refused so far (in `refuse` mode): how often a client tried to get through. */
  get refused(): number {
    return this.#refused;
  }

  /** Resolves once `count` connections in all have been refused. */
  waitForRefused(count: number): Promise<void> {
    if (this.#refused >= count) return Promise.resolve();
    return new Promise((resolve) => this.#refusedWaiters.push({ count, resolve }));
  }

  /** Moves bytes again (held bytes flow on) and accepts new connections. */
  forward(): void {
    this.#mode = "forward";
    for (const { client, upstream } of this.#pairs) {
      client.resume();
      upstream.resume();
    }
  }

  /** Holds every byte in both directions; new connections are accepted but hang the same way. */
  stall(): void {
    this.#mode = "stall";
    for (const { client, upstream } of this.#pairs) {
      client.pause();
      upstream.pause();
    }
  }

  /** Refuses new connections (they are reset at once) and resets the open ones. */
  refuse(): void {
    this.#mode = "refuse";
    this.cut();
  }

  /** Resets every open connection, as a restarting service does; new connections are handled per the mode. */
  cut(): void {
    for (const { client, upstream } of this.#pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.#pairs.clear();
  }

  /** Resets every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#mode === "refuse") {
      this.#refused++;
      client.resetAndDestroy();
      for (const waiter of this.#refusedWaiters.filter((candidate) => candidate.count <= this.#refused)) {
        this.#refusedWaiters.splice(this.#refusedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return;
    }
    const upstream = createConnection({ host: this.#targetHost, port: this.#targetPort });
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.#mode === "stall") {
      client.pause();
      upstream.pause();
    }
  }
}
