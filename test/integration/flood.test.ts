import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { LockstepCloseCode } from "../../src/protocol/index.ts";
import type { LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer } from "../support/player.ts";
import { FloodRoom } from "../support/rooms.ts";
import { serverRoom, startServer } from "../support/server.ts";

/** The bar: during any flood one client can produce, no other player waits more than this for a frame beyond its period. */
const MAX_STALL_MS = 100;
const FRAME_PERIOD_MS = 1000 / 30;

let server: LockstepServer;
before(async () => {
  server = await startServer({ flood: FloodRoom });
});
after(async () => {
  await server.close();
});

/** Runs `test/support/flooder.ts` in its own process against `roomId`; resolves with what it reports. */
function flood(roomId: string, kind: string): Promise<{ kind: string; sent: number; code: number | null; ms: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/flooder.ts", server.url, roomId, kind, "6000"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const line = output.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`flooder exited ${code}: ${output}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** Longest wait between two consecutive frame arrivals after `since`. */
function longestGap(player: TestPlayer, since: number): number {
  const arrivals = player.arrivals.filter((at) => at >= since);
  let longest = 0;
  for (let i = 1; i < arrivals.length; i++) longest = Math.max(longest, arrivals[i]! - arrivals[i - 1]!);
  return longest;
}

for (const kind of ["ping", "ws-ping", "unknown", "request", "malformed", "big"]) {
  test(`a ${kind} flood from one client closes it as abusive (4429); the others' frames never stall over ${MAX_STALL_MS} ms`, async () => {
    const first = await TestPlayer.join(server.url, "flood");
    const second = await TestPlayer.joinById(server.url, first.room.roomId);
    first.ready();
    second.ready();
    const since = performance.now();
    const report = await flood(first.room.roomId, kind);
    assert.equal(report.code, LockstepCloseCode.ABUSE, `the flooder was closed as abusive (${JSON.stringify(report)})`);
    const settled = (first.frames.items.at(-1)?.frame.frame ?? 0) + 15;
    await Promise.all([first.waitForFrame(settled), second.waitForFrame(settled)]);
    const stalls = [first, second].map((player) => longestGap(player, since) - FRAME_PERIOD_MS);
    console.log(
      `${kind} flood: ${report.sent} messages in ${report.ms} ms until closed; longest extra wait for a frame ${stalls.map((ms) => ms.toFixed(1)).join(" / ")} ms`,
    );
    for (const stall of stalls) assert.ok(stall < MAX_STALL_MS, `a frame came ${stall.toFixed(1)} ms late`);
    const numbers = first.frames.items.map((live) => live.frame.frame);
    assert.deepEqual(
      numbers,
      Array.from({ length: numbers.length }, (_, i) => i),
      "no frame lost",
    );
    assert.equal(serverRoom<FloodRoom>(first.room.roomId).phase, "running");
    await Promise.all([first.room.leave(), second.room.leave()]);
  });
}
