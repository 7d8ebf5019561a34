// PM2 configuration: several colyseus-lockstep processes on one machine, sharing Redis and
// PostgreSQL. Start with `npm run start:cluster` (PM2 is a dependency: no global install).
//
//   REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://user@host/db JWT_SECRET=... npm run start:cluster
//
// Each instance listens on PORT + its instance number (2567, 2568, ...) and announces itself
// at PUBLIC_HOST:that port, so clients can reach the process that runs their match.
import { availableParallelism } from "node:os";

/** One process per core by default; INSTANCES overrides it. */
const instances = Number(process.env.INSTANCES || availableParallelism());

export const apps = [
  {
    name: "colyseus-lockstep",
    script: "demo/main.ts",
    node_args: "--import tsx",
    exec_mode: "fork",
    instances,
    // Ports come from NODE_APP_INSTANCE (see demo/main.ts), not from PM2's load balancer.
    env: { NODE_ENV: process.env.NODE_ENV || "development" },
    // The instance reports "ready" once it listens; PM2 waits for it before the next one.
    wait_ready: true,
    listen_timeout: 15_000,
    // Graceful stop hands running matches over to the other processes: give it time.
    kill_timeout: 20_000,
    shutdown_with_message: false,
    // A process that exits within 10 s of starting (its port in use, a bad setting: it prints one
    // line and exits 1) counts as an unstable start; after 10 of them PM2 stops retrying.
    min_uptime: 10_000,
    max_restarts: 10,
  },
];
