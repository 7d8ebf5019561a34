import { existsSync } from "node:fs";
import { Registry } from "prom-client";
import { fileURLToPath } from "node:url";
import type express from "express";
import {
  LockstepMetrics,
  ReplayArchive,
  createLockstepServer,
  type AdmissionLimits,
  type DesyncReportStore,
  type LockstepServer,
  type ReplayArchiveOptions,
  type ReplayStore,
} from "colyseus-lockstep";
import {
  Permission,
  accountsTokenVerifier,
  installAccounts,
  mountAuthRoutes,
  mountReplayRoutes,
  requirePermission,
  type SecurityConfig,
  type UserStore,
} from "colyseus-lockstep/accounts";
import { mountLockstepMonitor } from "colyseus-lockstep/monitor";
import { mountAdminRoutes, type ScalingBackends } from "colyseus-lockstep/scaling";
import { arenaRoomWith, type ArenaSettings } from "./arena-room.ts";

/** Files of the demo page, built by `npm run build:web` (run automatically by `npm start`). */
const STATIC_FILES: Readonly<Record<string, URL>> = {
  "/": new URL("./web/index.html", import.meta.url),
  "/arena.js": new URL("./dist/arena.js", import.meta.url),
  "/arena.js.map": new URL("./dist/arena.js.map", import.meta.url),
  "/lockstep-client.js": new URL("../client-sdk/dist/lockstep-client.global.js", import.meta.url),
  "/lockstep-client.js.map": new URL("../client-sdk/dist/lockstep-client.global.js.map", import.meta.url),
};

function serveStatic(app: express.Application): void {
  for (const [route, url] of Object.entries(STATIC_FILES)) {
    const path = fileURLToPath(url);
    app.get(route, (_request, response) => {
      if (!existsSync(path)) {
        response.status(404).type("text/plain").send(`${route} is not built: run "npm run build:web"`);
        return;
      }
      response.sendFile(path);
    });
  }
  app.get("/health", (_request, response) => {
    response.json({ ok: true });
  });
}

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  readonly store: UserStore;
  readonly config: SecurityConfig;
  readonly port?: number;
  readonly host?: string;
  /** Presence, driver and match store for several processes; default: one process. */
  readonly scaling?: ScalingBackends;
  /** Matchmaking and room limits (see `createLockstepServer`). */
  readonly limits?: Partial<AdmissionLimits>;
  /**
   * Where the arena's desync reports are kept, readable at `/admin/desyncs` (typically
   * `openDesyncReportStore` on the user store, so reports live in the accounts database).
   * Without it, desyncs are still detected and announced to the players, but not stored.
   */
  readonly desyncReports?: DesyncReportStore;
  /**
   * Where finished matches' replays are kept, served at `/replays` (typically `openReplayStore`
   * on the user store). Without it, no replay is kept.
   */
  readonly replays?: ReplayStore;
  /** The arena's settings over its own (see `ARENA_SETTINGS`). */
  readonly arena?: ArenaSettings;
  /** Retention, size bound and retries of the replay archive (see `ReplayArchiveOptions`). */
  readonly replayArchive?: Omit<ReplayArchiveOptions, "store" | "metrics">;
}

/**
 * Serves the demo: the token-gated `arena` room, its page, the client SDK bundle, the auth
 * routes, the monitor dashboard at `/monitor`, Prometheus metrics at `/metrics` and the match
 * admin routes at `/admin`, with the stored desync reports when `desyncReports` is given
 * (admins only; the monitor's API and the admin routes refuse cross-site requests).
 */
export async function startDemoServer(options: DemoServerOptions): Promise<LockstepServer> {
  const { store, config, scaling, desyncReports, replays } = options;
  installAccounts({ store, config });
  const secureCookie = config.tls !== undefined;
  // The application's own registry: the library's metrics go there, next to anything the application adds.
  const registry = new Registry();
  const metrics = new LockstepMetrics({ registry });
  const archive = replays === undefined ? undefined : new ReplayArchive({ ...options.replayArchive, store: replays, metrics });
  const server = await createLockstepServer({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(config.tls !== undefined ? { tls: config.tls } : {}),
    ...(scaling?.presence !== undefined ? { presence: scaling.presence } : {}),
    ...(scaling?.driver !== undefined ? { driver: scaling.driver } : {}),
    ...(scaling?.publicAddress !== undefined ? { publicAddress: scaling.publicAddress } : {}),
    services: {
      ...scaling?.services,
      metrics,
      ...(desyncReports !== undefined ? { desyncReports } : {}),
      ...(archive !== undefined ? { replays: archive } : {}),
    },
    rooms: { arena: arenaRoomWith(options.arena) },
    auth: accountsTokenVerifier(store),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
    routes: (app) => {
      mountAuthRoutes(app, { store, config });
      // The operator's console: lockstep columns and room view; only admins who manage matches may act from it.
      mountLockstepMonitor(app, {
        gate: requirePermission(store, Permission.MONITOR, { secureCookie }),
        actionGate: requirePermission(store, Permission.MANAGE_MATCHES, { secureCookie }),
      });
      mountAdminRoutes(app, {
        gate: requirePermission(store, Permission.MANAGE_MATCHES, { secureCookie }),
        ...(desyncReports !== undefined ? { desyncReports } : {}),
      });
      if (replays !== undefined) mountReplayRoutes(app, { store, replays });
      app.get("/metrics", requirePermission(store, Permission.MONITOR, { secureCookie }), (_request, response, next) => {
        registry.metrics().then((text) => response.type(registry.contentType).send(text), next);
      });
      serveStatic(app);
    },
  }).catch(async (error: unknown) => {
    // The port could not be bound (or the server not built): nothing of this server stays running.
    metrics.stop();
    await archive?.close();
    throw error;
  });
  scaling?.start(archive);
  // Old replays go now and then hourly; a database that fails here is retried on the next pass.
  void archive?.startSweeping().catch(() => undefined);
  return {
    ...server,
    close: async () => {
      scaling?.stop();
      metrics.stop();
      await server.close();
      // Matches ended by the shutdown are written before the database closes.
      await archive?.close();
      await scaling?.close();
    },
  };
}
