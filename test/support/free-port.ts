import { createServer } from "node:net";

/**
 * A free loopback port, for a process that must know its port before it starts (a cluster
 * process announces its address up front). Another process could take it in between: callers
 * start the server right away.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
