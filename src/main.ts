import { startDemoServer } from "./demo/demo-server.ts";

/** Default port of `npm start`, overridable with PORT. */
const DEFAULT_PORT = 2567;

const port = Number(process.env["PORT"] ?? DEFAULT_PORT);
const demo = await startDemoServer({ port });
console.log(`colyseus-lockstep demo: open ${demo.url} in two browser tabs (room "arena")`);

const shutdown = (): void => {
  demo.close().then(() => process.exit(0), () => process.exit(1));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
