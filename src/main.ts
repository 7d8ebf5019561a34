import { ArenaRoom } from "./demo/arena-room.ts";
import { createLockstepServer } from "./server/create-server.ts";

/** Default port of `npm start`, overridable with PORT. */
const DEFAULT_PORT = 2567;

const port = Number(process.env["PORT"] ?? DEFAULT_PORT);
const lockstep = await createLockstepServer({
  port,
  rooms: { arena: ArenaRoom },
  routes: (app) => {
    app.get("/", (_request, response) => {
      response.type("text/plain").send(
        "colyseus-lockstep demo server\n\nRoom \"arena\" is open: join it with @colyseus/sdk, e.g.\n" +
          `  new Client("http://localhost:${port}").joinOrCreate("arena")\n`,
      );
    });
    app.get("/health", (_request, response) => {
      response.json({ ok: true });
    });
  },
});
console.log(`colyseus-lockstep demo listening on ${lockstep.url} (room "arena")`);

const shutdown = (): void => {
  lockstep.close().then(() => process.exit(0), () => process.exit(1));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
