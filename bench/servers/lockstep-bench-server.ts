// The server under test for target "lockstep": LockstepRoom rooms that start as soon as they are full.
import { LockstepMetrics, LockstepRoom, createLockstepServer, type LockstepOptionsInput, type LockstepPlayer } from "colyseus-lockstep";
import { WindowStats, handleStatsRequest } from "./stats-route.ts";

const roomSize = Number(process.env.ROOM_SIZE ?? 4);
const frameRate = Number(process.env.FRAME_RATE ?? 30);
/** Clients' state checksums every this many frames (the bots send them when the workload asks); 0: off. */
const checksumInterval = Number(process.env.CHECKSUM_INTERVAL ?? 0);
/** Spectators each room accepts (the bots bring that many), and how many frames behind the players they see. */
const maxSpectators = Number(process.env.SPECTATORS ?? 0);
const spectatorDelayFrames = Number(process.env.SPECTATOR_DELAY_FRAMES ?? 0);
/** How often "Prometheus" scrapes the bench server when metrics are on. */
const SCRAPE_INTERVAL_MS = 5000;
/** How often rooms refresh their listing metadata for the monitor (unset: the library's default; 0: off), to measure what it costs. */
const listingRefreshMs = process.env.LISTING_REFRESH_MS === undefined ? undefined : Number(process.env.LISTING_REFRESH_MS);

class BenchRoom extends LockstepRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate,
    minPlayers: roomSize,
    maxPlayers: roomSize,
    reconnectWindowSeconds: 0,
    maxMessagesPerSecond: 1000,
    checksumInterval,
    maxSpectators,
    ...(maxSpectators > 0 ? { spectatorDelayFrames } : {}),
    ...(listingRefreshMs !== undefined ? { listingRefreshMs } : {}),
  };

  override canStart(players: readonly LockstepPlayer[]): boolean {
    return players.length >= roomSize;
  }
}

/**
 * METRICS=off: only the counters and gauges the bench's window statistics need (no duration
 * histograms, no process metrics, no scrapes); on (default): everything, scraped every 5 s as
 * Prometheus would, so the two can be compared.
 */
const metricsOn = process.env.METRICS !== "off";
const metrics = new LockstepMetrics({ durations: metricsOn, processMetrics: metricsOn });
if (metricsOn) setInterval(() => void metrics.toPrometheus(), SCRAPE_INTERVAL_MS).unref();
const stats = new WindowStats(metrics.tickLateness, () => ({
  checksumsAccepted: metrics.checksumsReceived,
  desyncs: metrics.desyncs,
  refused: Object.fromEntries(metrics.actionsRefused),
}));
const server = await createLockstepServer({
  port: Number(process.env.BENCH_PORT ?? 0),
  host: "127.0.0.1",
  rooms: { bench: BenchRoom },
  services: { metrics },
  // Every bot comes from 127.0.0.1, and a step may need over a thousand rooms.
  limits: { maxRoomsPerProcess: 100_000, matchmakingPerAddressPerMinute: 1_000_000 },
  securityHeaders: false,
  ...(process.env.PING_INTERVAL_MS !== undefined ? { pingIntervalMs: Number(process.env.PING_INTERVAL_MS) } : {}),
  routes: (app) => {
    app.get(/^\/__bench\//, (request, response) => {
      handleStatsRequest(stats, request.url, (body) => response.type("json").send(body));
    });
  },
});
console.log(`bench server ready on ${server.port}`);

// A clean exit on SIGINT lets `node --cpu-prof` write its profile.
process.once("SIGINT", () => process.exit(0));
