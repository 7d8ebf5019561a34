// Runs in a child process so that NODE_EXTRA_CA_CERTS (read at startup) can make the test's
// self-signed certificate trusted, exactly as an operator would for a private CA.
// Usage: node --import tsx test/support/tls-client.ts https://127.0.0.1:PORT
import { LockstepClient, type LockstepFrame } from "../../client-sdk/src/index.ts";

const url = process.argv[2]!;
const client = new LockstepClient(url);
const session = await client.loginAnonymous({ name: "tls" });
const match = await client.joinOrCreate("solo");
const frames: number[] = [];
let uid: string | undefined;
await new Promise<void>((resolve) => {
  match.onStart((info) => (uid = info.players[0]?.uid));
  match.onFrame((frame: LockstepFrame<unknown>) => {
    frames.push(frame.frame);
    if (frames.length === 3) resolve();
  });
  match.ready();
});
await match.leave();
console.log(JSON.stringify({ userId: session.user.id, uid, frames }));
