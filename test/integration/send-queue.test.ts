import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import type { Client } from "@colyseus/core";
import { queuedBytes } from "../../src/lockstep/send-queue.ts";
import { ControlMessage, type PlayerInfo } from "../../src/protocol/index.ts";
import { createLockstepServer, type LockstepServer } from "../../src/server/create-server.ts";
import { TestPlayer } from "../support/player.ts";
import { SlowReaderRoom } from "../support/rooms.ts";
import { serverRoom } from "../support/server.ts";

let server: LockstepServer;
before(async () => {
  // No transport pings: the slow reader cannot answer them, and this test is about the queue bound, not the heartbeat.
  server = await createLockstepServer({ rooms: { slow: SlowReaderRoom }, port: 0, host: "127.0.0.1", pingIntervalMs: 0 });
});
after(async () => {
  await server.close();
});

test("a client that stops reading and keeps asking for the whole log is paced, never holds more than the bound, and is dropped with its seat held", async () => {
  const feeder = await TestPlayer.join(server.url, "slow");
  const witness = await TestPlayer.joinById(server.url, feeder.room.roomId);
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/flooder.ts", server.url, feeder.room.roomId, "slow-reader", "40000"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  feeder.ready();
  witness.ready();
  await feeder.starts.wait();
  const room = serverRoom<SlowReaderRoom>(feeder.room.roomId);
  const readerSession = room.clients.find(
    (client: Client) => client.sessionId !== feeder.room.sessionId && client.sessionId !== witness.room.sessionId,
  )!.sessionId;
  const readerSlot = room.players.find((player) => player.sessionId === readerSession)!.slot;

  // Fill the log: eight 3.4 KiB actions a frame for two seconds (~7 MB the reader keeps asking for).
  const pad = "p".repeat(3400);
  const feeding = (async () => {
    const until = performance.now() + 2000;
    let n = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 8; i++) feeder.act({ kind: "move", n: n++, pad });
      await feeder.waitForFrame((feeder.frames.items.at(-1)?.frame.frame ?? 0) + 1);
    }
  })();

  let largest = 0;
  const sampler = setInterval(() => {
    const client = room.clients.find((candidate: Client) => candidate.sessionId === readerSession);
    if (client !== undefined) largest = Math.max(largest, queuedBytes(client));
  }, 20);
  const dropped = await witness.control.wait(
    (message) => message.type === ControlMessage.ROOM_DROP && (message.message as PlayerInfo).slot === readerSlot,
    30_000,
  );
  clearInterval(sampler);
  await feeding;
  console.log(
    `slow reader dropped after ${(performance.now() - feeder.arrivals[0]!).toFixed(0)} ms of match; largest queue held for it: ${largest} bytes (bound ${room.settings.maxSendQueueBytes})`,
  );

  assert.ok((dropped.message as PlayerInfo).connected === false);
  const largestFrame = Math.max(...witness.frames.items.map((live) => live.bytes.byteLength));
  assert.ok(
    largest <= room.settings.maxSendQueueBytes + largestFrame,
    `queue reached ${largest} bytes (bound ${room.settings.maxSendQueueBytes} + one frame of ${largestFrame})`,
  );
  assert.ok(largest > room.settings.maxSendQueueBytes / 8, "the reader did fill its queue (the test exercised the bound)");
  assert.equal(witness.control.items.filter((message) => message.type === ControlMessage.ROOM_LEAVE).length, 0, "the seat is held, not released");
  assert.equal(room.phase, "running");
  const after = (witness.frames.items.at(-1)?.frame.frame ?? 0) + 10;
  await witness.waitForFrame(after);
  child.kill();
  await exited;
  await Promise.all([feeder.room.leave(), witness.room.leave()]);
});
