// npm run bench:replay-size -- [--minutes 60] [--players 4] [--rate 30] [--input-bytes 12] [--snapshot-bytes 0] [--redis URL]
// How much room a replay takes: a match of the given length (default one hour, 4 players,
// 30 Hz, one 12-byte input from every player every frame) is written through the replay
// archive into the embedded database, for three kinds of input: the load-test bots' (bot id
// and a sequence number, zero-padded), a game's (a direction held for a while, as a player
// steering does), and uniformly random bytes (the worst case: nothing to compress). Prints the
// frames' raw size, the stored document's size, the row's size in the database, the time the
// write took (compression runs on the thread pool) and the longest event-loop stall meanwhile
// (what the frame timers of rooms on the same process would feel). With --snapshot-bytes, the
// replay also carries the verified snapshots a room keeps (one offered every --snapshot-every
// frames, each a game-like JSON state of about that size), within the replay's snapshot bounds.
// With --redis, the frames are read from a finished Redis journal, as with several processes.
import { randomBytes } from "node:crypto";
import { LockstepMetrics, ReplayArchive, type FinishedMatch } from "colyseus-lockstep";
import { SqlReplayStore, openEmbeddedDatabase } from "colyseus-lockstep/accounts";
import type { ReplayHeader } from "colyseus-lockstep/protocol";
import { RedisMatchStore } from "colyseus-lockstep/scaling";
import { ByteWriter } from "../src/protocol/byte-writer.ts";
import { encodeFrame } from "../src/protocol/frame-codec.ts";
import { FrameLog } from "../src/lockstep/frame-log.ts";
import { ReplaySnapshots } from "../src/lockstep/replay-snapshots.ts";
import { readLogFrames } from "../src/lockstep/log-frames.ts";
import { parseCommandLine } from "./command-line.ts";
import { makeInput } from "./workload.ts";

const { values } = parseCommandLine({
  usage: "npm run bench:replay-size -- [options]",
  about: `How much room a replay takes: a match of the given length is written through the replay archive into
the embedded database, with the load-test bots' inputs, a game's (a direction held a while) and random bytes.
Reports the frames' raw size, the stored document's size, the row's size in the database, the time the
write took and the longest event-loop stall meanwhile.`,
  options: {
    minutes: { type: "string", default: "60" },
    players: { type: "string", default: "4" },
    rate: { type: "string", default: "30" },
    "input-bytes": { type: "string", default: "12" },
    "snapshot-bytes": { type: "string", default: "0" },
    "snapshot-every": { type: "string", default: "200" },
    redis: { type: "string" },
  },
  help: {
    minutes: "length of the match, in minutes",
    players: "players in the match",
    rate: "frame rate, in Hz",
    "input-bytes": "size of every player's input each frame, in bytes",
    "snapshot-bytes": "size of each verified snapshot's JSON state, in bytes (0: no snapshots)",
    "snapshot-every": "frames between the snapshots the room verifies (the demo's 200)",
    redis: "read the frames from a finished match's journal in this Redis (redis://…), as with several processes, instead of the frame log",
  },
});
const minutes = Number(values.minutes);
const players = Number(values.players);
const rate = Number(values.rate);
const inputBytes = Number(values["input-bytes"]);
const frameCount = Math.round(minutes * 60 * rate);
const snapshotBytes = Number(values["snapshot-bytes"]);
const snapshotEvery = Number(values["snapshot-every"]);
const MB = 1024 * 1024;

/** One player's input for a frame. */
type InputSource = (slot: number, frame: number) => Uint8Array;

/** A direction held for 1 to 30 frames, then another: what a player steering sends every frame. */
function steering(): InputSource {
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const held = Array.from({ length: players }, () => ({ dx: 0, dy: 0, until: 0 }));
  return (slot, frame) => {
    const input = held[slot]!;
    if (frame >= input.until) {
      input.dx = Math.floor(next() * 3) - 1;
      input.dy = Math.floor(next() * 3) - 1;
      input.until = frame + 1 + Math.floor(next() * 30);
    }
    const bytes = new Uint8Array(inputBytes);
    bytes[0] = 1;
    bytes[1] = input.dx + 1;
    bytes[2] = input.dy + 1;
    return bytes;
  };
}

const SOURCES: Readonly<Record<string, () => InputSource>> = {
  "load-test bots (id + sequence)": () => (slot, frame) => makeInput(inputBytes, slot, frame),
  "steering (direction held 1-30 frames)": steering,
  "random bytes (incompressible)": () => () => randomBytes(inputBytes),
};

/** The match's frames in a frame log, as a room holds them (no object per frame: the heap is the room's). */
function frameLog(source: InputSource, count = frameCount): FrameLog {
  const writer = new ByteWriter();
  const log = new FrameLog({ firstFrame: 0, maxBytes: 64 * MB });
  for (let frame = 0; frame < count; frame++) {
    const entries = Array.from({ length: players }, (_, slot) => ({ type: "action" as const, slot, payload: source(slot, frame) }));
    log.append(encodeFrame(writer.reset(), { frame, entries }).view());
  }
  return log;
}

/** A game-like state after `frame`: entities with positions, speeds and health that change from frame to frame, about `bytes` of JSON. */
function gameState(frame: number, bytes: number): string {
  const entities: { id: number; x: number; y: number; vx: number; vy: number; hp: number }[] = [];
  let seed = frame * 2654435761;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % 1000;
  };
  const state = { frame, rng: seed, entities };
  while (JSON.stringify(state).length < bytes)
    entities.push({ id: entities.length, x: next(), y: next(), vx: (next() % 7) - 3, vy: (next() % 7) - 3, hp: next() % 101 });
  return JSON.stringify(state);
}

/** The snapshots a room keeps for a match of `lastFrame` frames, one verified every `snapshotEvery`. */
function keptSnapshots(lastFrame: number): ReplayHeader["snapshots"] {
  const kept = new ReplaySnapshots();
  if (snapshotBytes > 0)
    for (let frame = snapshotEvery; frame <= lastFrame; frame += snapshotEvery) kept.offer({ frame, state: gameState(frame, snapshotBytes) });
  return kept.kept;
}

/** Made once, before any write is timed (building the states is the bench's work, not the archive's). */
const matchSnapshots = keptSnapshots(frameCount - 1) ?? [];

function header(id: string, lastFrame: number): ReplayHeader {
  const now = new Date().toISOString();
  return {
    id,
    room_id: id,
    room_name: "bench",
    seed: 1,
    frame_rate: rate,
    start_frame: 0,
    checksum_interval: 30,
    players: [],
    participants: Array.from({ length: players }, (_, slot) => ({
      uid: `player-${slot}`,
      name: `Player ${slot}`,
      role: "player",
      slot,
      joined_frame: 0,
      joined_at: now,
      left_frame: null,
      left_at: null,
      left_reason: null,
    })),
    settings: { frame_rate: rate, max_players: players },
    end_reason: "ended",
    result: null,
    started_at: now,
    ended_at: now,
    public: false,
    // One agreed checksum per second, as the default interval gives at 30 Hz.
    checksums: Array.from({ length: Math.floor(lastFrame / 30) }, (_, index) => ({ frame: (index + 1) * 30, hash: "9f2c01aa5b7e3d10" })),
    last_frame: lastFrame,
    snapshots: matchSnapshots.filter((snapshot) => snapshot.frame <= lastFrame),
  };
}

/** With --redis: the journal the match's frames are read from. */
const journals = values.redis === undefined ? undefined : new RedisMatchStore(values.redis, { prefix: `bench-replay-${process.pid}` });

/** Where the archive reads the frames: the frame log, or (with --redis) the match's finished journal, written beforehand and not timed. */
async function frameSource(id: string, log: FrameLog): Promise<FinishedMatch["frames"]> {
  if (journals === undefined) return async () => readLogFrames(log);
  const owner = { processId: "bench", leaseTtlMs: 600_000 };
  const record = { roomId: id, roomName: "bench", match: { players: [], seed: 1, frame_rate: rate, start_frame: 0 }, seats: [], status: "running" as const };
  await journals.openJournal(owner, record, 0);
  const { runs } = readLogFrames(log);
  let next = log.firstFrame;
  for (const run of runs) {
    const frames = Array.from(run.ends, (end, index) => run.bytes.subarray(index === 0 ? 0 : run.ends[index - 1], end));
    // A thousand at a time, as a script's arguments are bounded (a room stores a few per write).
    for (let index = 0; index < frames.length; index += 1000) await journals.storeFrames(owner, id, next + index, frames.slice(index, index + 1000));
    next += frames.length;
  }
  await journals.finish(owner, id, 600);
  return async () => {
    const read = await journals.finishedFrames(id);
    if (read === undefined) throw new Error(`the journal of ${id} is gone`);
    return read;
  };
}

/** Writes the replay of the match in `log` through the archive, as a room does; how long it took and the longest event-loop stall meanwhile. */
async function write(store: SqlReplayStore, id: string, log: FrameLog, lastFrame: number): Promise<{ seconds: number; stallMs: number }> {
  const frames = await frameSource(id, log);
  const archive = new ReplayArchive({ store, metrics: new LockstepMetrics(), retentionDays: 0, maxReplayBytes: 64 * MB });
  // What a room on this process would feel: the longest gap between two runs of a 1 ms timer while the replay was written.
  let lastTick = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - lastTick);
    lastTick = now;
  }, 1);
  const started = performance.now();
  // The room's own path: frames from its log (or its journal), as broadcast.
  archive.record({ header: header(id, lastFrame), frames, archived: async () => void (await journals?.remove(id)) });
  await archive.settled();
  clearInterval(ticker);
  stallMs = Math.max(stallMs, performance.now() - lastTick);
  if (archive.pending !== 0) throw new Error(`the replay ${id} is still pending`);
  return { seconds: (performance.now() - started) / 1000, stallMs };
}

const sql = await openEmbeddedDatabase();
try {
  const store = await SqlReplayStore.open(sql);
  console.log(`replay of a ${minutes}-minute match: ${players} players, ${rate} Hz, one ${inputBytes}-byte input per player per frame (${frameCount} frames)`);
  if (snapshotBytes > 0) {
    const stateBytes = matchSnapshots.reduce((sum, snapshot) => sum + snapshot.state.length, 0);
    console.log(
      `  with ${matchSnapshots.length} verified snapshots of ${snapshotBytes} bytes kept of one every ${snapshotEvery} frames (${(stateBytes / MB).toFixed(2)} MB of state)`,
    );
  }
  // A process's first replay pays for warming up (compilation, the database's first writes of these tables): shown apart.
  const warmUp = frameLog(steering(), 60 * rate);
  const first = await write(store, "warm-up", warmUp, warmUp.lastFrame);
  console.log(`  the process's first replay (one minute of steering): longest event-loop stall ${first.stallMs.toFixed(0)} ms`);
  for (const [name, source] of Object.entries(SOURCES)) {
    const log = frameLog(source());
    const id = name.replace(/\W+/g, "-");
    const { seconds, stallMs } = await write(store, id, log, log.lastFrame);
    const { rows } = await sql.query<{ document: number; row: number }>(
      "SELECT sum(octet_length(bytes)) AS document, sum(pg_column_size(bytes)) AS row FROM lockstep_replay_chunks WHERE replay_id = $1",
      [id],
    );
    const stored = rows[0];
    if (stored === undefined) throw new Error(`the replay of "${name}" was not stored`);
    const raw = log.storedBytes;
    console.log(
      `  ${name.padEnd(40)} frames ${(raw / MB).toFixed(2)} MB → document ${(Number(stored.document) / MB).toFixed(2)} MB (${((100 * Number(stored.document)) / raw).toFixed(1)} %), in the database ${(Number(stored.row) / MB).toFixed(2)} MB; written in ${seconds.toFixed(1)} s, longest event-loop stall ${stallMs.toFixed(0)} ms`,
    );
  }
} finally {
  await sql.close();
  await journals?.close();
}
