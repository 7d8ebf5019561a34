import { openUserStore } from "./accounts/open-user-store.ts";
import { loadSecurityConfig } from "./accounts/security-config.ts";
import { startDemoServer } from "./demo/demo-server.ts";

/** Default port of `npm start`, overridable with PORT. */
const DEFAULT_PORT = 2567;

const config = loadSecurityConfig();
if (!config.production && !process.env["JWT_SECRET"]) {
  console.warn("JWT_SECRET is not set: using the development secret (refused when NODE_ENV=production)");
}
const store = await openUserStore(config);
const demo = await startDemoServer({ store, config, port: Number(process.env["PORT"] ?? DEFAULT_PORT) });
console.log(`colyseus-lockstep demo: open ${demo.url} in two browser tabs`);
console.log(`users: ${config.databaseUrl !== undefined ? "PostgreSQL (DATABASE_URL)" : `embedded database in ${config.dataDir}`}`);

const shutdown = (): void => {
  demo
    .close()
    .then(() => store.close())
    .then(() => process.exit(0), () => process.exit(1));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
