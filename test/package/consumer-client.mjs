// A player pair in the consumer project of test/package/package.test.ts: joins the README
// example's room with the packed client SDK, plays one action, prints one JSON line.
//   node consumer-client.mjs <server url> <room name> <"open" | "accounts">
import { LockstepClient } from "colyseus-lockstep-client";

const [url, roomName, mode] = process.argv.slice(2);
const a = new LockstepClient(url);
const b = new LockstepClient(url);
let refusedWithoutToken = null;
if (mode === "accounts") {
  await a.loginAnonymous({ name: "Ada" });
  await b.loginAnonymous({ name: "Bob" });
  refusedWithoutToken = await new LockstepClient(url).joinOrCreate(roomName).then(
    () => "joined",
    (error) => error.message,
  );
}
const first = await a.joinOrCreate(roomName);
const second = await b.joinById(first.roomId);
const started = Promise.all([new Promise((resolve) => first.onStart(resolve)), new Promise((resolve) => second.onStart(resolve))]);
first.ready();
second.ready();
await started;

const action = mode === "accounts" ? { hello: "duel" } : { type: "move", dx: 1, dy: 0 };
const seen = new Promise((resolve) => {
  second.onFrame((frame) => {
    const entry = frame.actions.find((candidate) => candidate.uid === first.you.uid);
    if (entry !== undefined) resolve({ frame: frame.frame, action: entry.action });
  });
});
first.sendAction(action);
const received = await seen;
console.log(JSON.stringify({ received, players: second.players.map((player) => player.name), refusedWithoutToken }));
await Promise.all([first.leave(), second.leave()]);
process.exit(0);
