import { EmbeddedDatabaseBusyError, loadSecurityConfig, openDesyncReportStore, openReplayStore, openUserStore } from "colyseus-lockstep/accounts";
import { createScalingBackends, loadScalingConfig } from "colyseus-lockstep/scaling";
import { ListenError } from "colyseus-lockstep";
import { startDemoServer } from "./demo-server.ts";
import { arenaSettingsFromEnv, limitsFromEnv, replayArchiveFromEnv } from "./limits-from-env.ts";

// `npm start -- --help`: answered before any configuration is read or the database is opened
// (a running server may hold it), so it works anywhere and changes nothing.
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`usage: npm start

Serves the demo game: its page, the accounts API, the monitor and the metrics, on one port.
Configured by environment variables, among them:
  PORT                      HTTP(S) and WebSocket port (default 2567)
  DATA_DIR                  the embedded database's files (default .data/db)
  DATABASE_URL              PostgreSQL instead of the embedded database
  REDIS_URL                 several processes sharing matchmaking and running matches
  JWT_SECRET                token signing key (required in production)
  ADMIN_EMAILS              comma-separated emails that become admins when they register
  SNAPSHOT_INTERVAL_FRAMES  frames between the demo room's snapshots (default 200; 0: off)
  TLS_CERT_FILE, TLS_KEY_FILE, NODE_ENV, …
See the README's Environment table for all of them.`);
  process.exit(0);
}

/** Default port of `npm start`, overridable with PORT. */
const DEFAULT_PORT = 2567;

// Under PM2 each instance gets its own port: PORT + its instance number.
const port = Number(process.env.PORT ?? DEFAULT_PORT) + Number(process.env.NODE_APP_INSTANCE ?? 0);
const config = loadSecurityConfig();
const scalingConfig = loadScalingConfig(port);
if (scalingConfig.redisUrl !== undefined && config.databaseUrl === undefined) {
  throw new Error("several processes (REDIS_URL) need a shared user store: set DATABASE_URL to a PostgreSQL database");
}
if (config.jwtSecretFile !== undefined) {
  console.log(`JWT_SECRET is not set: tokens are signed with a random development secret kept in ${config.jwtSecretFile} (production requires JWT_SECRET)`);
}
const store = await openUserStore(config).catch((error: unknown) => {
  if (!(error instanceof EmbeddedDatabaseBusyError)) throw error;
  console.error(`colyseus-lockstep: not started: ${error.message}`);
  process.exit(1);
});
// Desync reports go to the accounts database, on the user store's connection (closed with it).
const desyncReports = await openDesyncReportStore(store);
// Replays of finished matches too: written after each match, served at /replays.
const replays = await openReplayStore(store);
const scaling = createScalingBackends(scalingConfig);
const demo = await startDemoServer({
  store,
  config,
  scaling,
  desyncReports,
  replays,
  port,
  limits: limitsFromEnv(),
  replayArchive: replayArchiveFromEnv(),
  arena: arenaSettingsFromEnv(),
}).catch(async (error: unknown) => {
  if (!(error instanceof ListenError)) throw error;
  // One line and a non-zero exit (PM2 shows it and counts the restart), not a stack trace and a process that never serves.
  console.error(`colyseus-lockstep: not started: ${error.message} (set PORT)`);
  await store.close().catch(() => undefined);
  process.exit(1);
});
console.log(`colyseus-lockstep demo: open ${demo.url} in two browser tabs`);
console.log(`users: ${config.databaseUrl !== undefined ? "PostgreSQL (DATABASE_URL)" : `embedded database in ${config.dataDir}`}`);
console.log(
  scalingConfig.redisUrl !== undefined
    ? `cluster: Redis, this process is reached at ${scalingConfig.publicAddress}`
    : "single process (set REDIS_URL to run several)",
);
// PM2 (wait_ready) starts routing to this instance once it says so.
process.send?.("ready");

let stopping = false;
const shutdown = (exitCode = 0): void => {
  if (stopping) return;
  stopping = true;
  demo
    .close()
    .then(() => store.close())
    .then(
      () => process.exit(exitCode),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.on("SIGINT", () => shutdown());
process.on("SIGTERM", () => shutdown());

// Last resorts. No client input reaches an uncaught exception (rooms guard every message), so one
// that happens is a bug: report it and stop as gracefully as possible, so that running matches are
// handed over (with Redis) and PM2 restarts the process.
process.on("uncaughtException", (error) => {
  console.error("colyseus-lockstep: uncaught exception, stopping:", error);
  if (stopping) process.exit(1);
  shutdown(1);
});
// A promise nobody awaited failed (Colyseus's Redis presence does this during an outage): log it,
// at most once a minute per message, and keep serving; stopping would turn a Redis blip into a crash.
const UNHANDLED_REPORT_MS = 60_000;
const reported = new Map<string, number>();
process.on("unhandledRejection", (reason) => {
  const message = reason instanceof Error ? reason.message : String(reason);
  const now = Date.now();
  if ((reported.get(message) ?? 0) > now - UNHANDLED_REPORT_MS) return;
  if (reported.size > 100) reported.clear();
  reported.set(message, now);
  console.error("colyseus-lockstep: unhandled rejection (the process goes on):", reason);
});
