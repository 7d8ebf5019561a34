import assert from "node:assert/strict";
import { test } from "node:test";
import { ChecksumReporter } from "../src/checksum-reporter.ts";
import { STATE_DUMP_CHUNK_BYTES, decodeChecksum, decodeStateDumpChunk } from "../../src/protocol/index.ts";

function reporter(interval = 10, frameRate = 30) {
  const checksums: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  const channel = { open: true, newest: undefined as number | undefined, onChunk: (): void => undefined };
  const instance = new ChecksumReporter(interval, frameRate, {
    sendChecksum: (bytes) => checksums.push(bytes),
    sendDumpChunk: (bytes) => {
      chunks.push(bytes);
      channel.onChunk();
    },
    canSend: () => channel.open,
    newestFrame: () => channel.newest,
  });
  return { instance, checksums, chunks, channel };
}

test("sends the hash of checked frames only, and only while it can", () => {
  const { instance, checksums, channel } = reporter();
  let hashed = 0;
  const options = {
    hash: () => {
      hashed++;
      return { a: "1f" };
    },
  };
  for (let frame = 0; frame <= 25; frame++) instance.check(frame, options);
  assert.deepEqual(
    checksums.map((bytes) => decodeChecksum(bytes).frame),
    [0, 10, 20],
  );
  assert.equal(hashed, 3, "the state is hashed only when a hash is due");
  channel.open = false;
  assert.equal(instance.check(30, options), false);
  assert.equal(instance.lastChecked, 20);
});

test("a frame stepped more than half a second behind the newest is not sent (catching up)", () => {
  const { instance, checksums, channel } = reporter(10, 30);
  channel.newest = 1000;
  assert.equal(instance.check(980, { hash: () => "ab" }), false);
  assert.equal(instance.check(990, { hash: () => "ab" }), true);
  assert.equal(checksums.length, 1);
});

test("dumps: the last three checked frames are kept, uploaded in order and paced when asked", async () => {
  const { instance, chunks, channel } = reporter();
  const state = { pad: "z".repeat(30_000), frame: 0 };
  for (const frame of [10, 20, 30, 40]) {
    state.frame = frame;
    instance.check(frame, { hash: () => "ab", dump: () => state });
  }
  instance.onDumpRequest({ report_id: "r", frame: 10, max_bytes: 1 << 20, chunk_bytes: STATE_DUMP_CHUNK_BYTES });
  assert.equal(chunks.length, 0, "frame 10 is no longer kept");
  instance.onDumpRequest({ report_id: "r", frame: 20, max_bytes: 1 << 20, chunk_bytes: STATE_DUMP_CHUNK_BYTES });
  assert.equal(chunks.length, 8, "a first burst of eight chunks, the rest paced");
  const count = decodeStateDumpChunk(chunks[0]!).count;
  assert.ok(count > 8);
  await new Promise<void>((resolve) => {
    channel.onChunk = () => {
      if (chunks.length === count) resolve();
    };
  });
  const decoded = chunks.map(decodeStateDumpChunk);
  assert.deepEqual(
    decoded.map((chunk) => chunk.index),
    [...Array(count).keys()],
  );
  const json = JSON.parse(Buffer.concat(decoded.map((chunk) => chunk.bytes)).toString("utf8"));
  assert.equal(json.frame, 20, "the state as it was at frame 20, not as it is now");
});

test("a dump over the server's bound is not sent", () => {
  const { instance, chunks } = reporter();
  instance.check(10, { hash: () => "ab", dump: () => ({ pad: "q".repeat(10_000) }) });
  instance.onDumpRequest({ report_id: "r", frame: 10, max_bytes: 4096, chunk_bytes: STATE_DUMP_CHUNK_BYTES });
  assert.equal(chunks.length, 0);
});
