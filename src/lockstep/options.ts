import { z } from "zod";
import { DEFAULT_LOG_BLOCK_BYTES } from "./frame-log.ts";
import { DEFAULT_REPLAY_SNAPSHOT_BYTES } from "./replay-snapshots.ts";

/** 30 Hz: the common rate of lockstep RTS and MOBA servers; fighting games raise it to 60. */
export const DEFAULT_FRAME_RATE = 30;
/** Highest accepted rate: past 120 Hz timer granularity (1 ms) becomes a large share of a frame. */
export const MAX_FRAME_RATE = 120;
/** A match needs someone to play against by default; a solo demo sets 1. */
export const DEFAULT_MIN_PLAYERS = 2;
/** Four seats: the usual size of an RTS or MOBA lobby, and the benchmark's room. */
export const DEFAULT_MAX_PLAYERS = 4;
/** Slots are varints in frames; 64 keeps every slot header in one byte. */
export const MAX_PLAYERS_LIMIT = 64;
/**
 * A room whose match has not started after 10 minutes is closed (4408): long enough to gather
 * a lobby, short enough that a room held by a player who never gets ready is reclaimed.
 */
export const DEFAULT_WAITING_TIMEOUT_SECONDS = 600;
/** Long enough for a phone to switch networks; short enough that others are not kept waiting. */
export const DEFAULT_RECONNECT_WINDOW_SECONDS = 20;
/** Room for a few inputs bunched by jitter, small enough to bound a frame's size. */
export const DEFAULT_MAX_ACTIONS_PER_FRAME = 4;
/** Game inputs are tens of bytes; 256 leaves headroom while keeping frames small. */
export const DEFAULT_MAX_ACTION_BYTES = 256;
/** 4 actions per frame at 30 Hz, plus ready and reload traffic. */
export const DEFAULT_MAX_MESSAGES_PER_SECOND = 150;
/** Refused messages tolerated before a client is closed as abusive (refilled at one per second). */
export const DEFAULT_MAX_STRIKES = 20;
/** 600 frames = 20 s at 30 Hz per chunk: a catch-up takes few messages, none of them huge. */
export const DEFAULT_RELOAD_CHUNK_FRAMES = 600;
/** Keeps each chunk well under what a browser WebSocket handles in one message event. */
export const DEFAULT_RELOAD_CHUNK_BYTES = 64 * 1024;
/** A reconnecting client needs one request; a few more cover retries. */
export const DEFAULT_RELOAD_REQUESTS_PER_SECOND = 2;
/** Reload requests a client may make back to back before the per-second rate applies. */
export const DEFAULT_RELOAD_BURST = 5;
/**
 * Bytes a client's outgoing queue may hold: several catch-up chunks in flight. A client over it,
 * or over a quarter of it for 10 s, is not reading and is dropped (its seat held).
 */
export const DEFAULT_MAX_SEND_QUEUE_BYTES = 1024 * 1024;
/** An hour of 4-player 30 Hz input is ~7 MB; 32 MiB leaves room for longer or busier matches. */
export const DEFAULT_MAX_LOG_BYTES = 32 * 1024 * 1024;

/** Once a second at 30 Hz: a desync is named within a second, for one small message per player per second. */
export const DEFAULT_CHECKSUM_INTERVAL = 30;
/** A player steps a frame within a few hundred ms of its close; 2 s also covers a slow phone, and bounds how long a check waits. */
export const DEFAULT_CHECKSUM_WAIT_MS = 2000;
/** A game state of a few thousand entities in JSON; at 3 KiB per message, 22 messages. */
export const DEFAULT_MAX_DUMP_BYTES = 64 * 1024;
/** Reports one match may raise: a state that keeps diverging in new ways is one bug, not a thousand reports. */
export const DEFAULT_MAX_DESYNC_REPORTS = 10;
/** Largest dump a room may accept: the protocol's chunk count bound (342 chunks of 3 KiB). */
export const MAX_DUMP_BYTES_LIMIT = 1024 * 1024;
/** Largest `replaySnapshotBytes`: the default `maxReplayBytes`, as a replay holding more could not be stored. */
export const MAX_REPLAY_SNAPSHOT_BYTES_LIMIT = 16 * 1024 * 1024;
/** The longest snapshot interval: an hour at 120 Hz. */
export const MAX_SNAPSHOT_INTERVAL_FRAMES = 432_000;
/** Spectators one room accepts at most: each costs a socket and a send per frame. */
export const MAX_SPECTATORS_LIMIT = 1000;
/** The spectators' delay when a room sets none: long enough that a player gains nothing by watching themselves. */
export const DEFAULT_SPECTATOR_DELAY_SECONDS = 3;
/** The longest spectator delay: ten minutes at 120 Hz. */
export const MAX_SPECTATOR_DELAY_FRAMES = 72_000;

/**
 * Settings of a lockstep room. Every limit has a default; a room sets what it needs in its
 * `lockstep` field. They come from the server's code, never from a client's join options.
 */
export const lockstepOptionsSchema = z
  .object({
    /** Frames per second. */
    frameRate: z.number().int().min(1).max(MAX_FRAME_RATE).default(DEFAULT_FRAME_RATE),
    /** Number of the first frame. */
    startFrame: z.number().int().min(0).default(0),
    /** Players needed before the default start rule can start the match. */
    minPlayers: z.number().int().min(1).max(MAX_PLAYERS_LIMIT).default(DEFAULT_MIN_PLAYERS),
    /** Seats in the room (Colyseus `maxClients`). */
    maxPlayers: z.number().int().min(1).max(MAX_PLAYERS_LIMIT).default(DEFAULT_MAX_PLAYERS),
    /** If > 0: once `minPlayers` are seated, start after this many ms even if not everyone is ready. */
    readyTimeoutMs: z.number().int().min(0).default(0),
    /** If > 0: a room whose match has not started this long after its creation closes (code 4408). 0: rooms wait forever. */
    waitingTimeoutSeconds: z.number().min(0).default(DEFAULT_WAITING_TIMEOUT_SECONDS),
    /** Refuse clients without a verified login token (`client.auth` with an `id`). Open demos set false. */
    requireAuth: z.boolean().default(true),
    /** Accept players after the start (they get a slot and a JOINED frame event). Otherwise the room locks at start. */
    lateJoin: z.boolean().default(false),
    /** Seconds a dropped player keeps the seat; 0 disables reconnection. */
    reconnectWindowSeconds: z.number().min(0).default(DEFAULT_RECONNECT_WINDOW_SECONDS),
    /** Actions one player may put in one frame; more are refused with `ACTION_LIMIT_REACHED`. */
    maxActionsPerFrame: z.number().int().min(1).max(1024).default(DEFAULT_MAX_ACTIONS_PER_FRAME),
    /** Encoded size limit of one action; larger ones are refused with `ACTION_TOO_LARGE`. */
    maxActionBytes: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024)
      .default(DEFAULT_MAX_ACTION_BYTES),
    /** Sustained message rate per client (burst: one second's worth); excess is refused with `RATE_LIMITED`. */
    maxMessagesPerSecond: z.number().min(1).default(DEFAULT_MAX_MESSAGES_PER_SECOND),
    /** Refused messages a client may accumulate (one forgiven per second) before it is closed with code 4429. */
    maxStrikes: z.number().int().min(1).default(DEFAULT_MAX_STRIKES),
    /** Frames per `reload_frames` chunk at most. */
    reloadChunkFrames: z.number().int().min(1).default(DEFAULT_RELOAD_CHUNK_FRAMES),
    /** Bytes per `reload_frames` chunk at most (a single larger frame still goes alone). */
    reloadChunkBytes: z.number().int().min(64).default(DEFAULT_RELOAD_CHUNK_BYTES),
    /** Sustained reload requests per client per second. */
    reloadRequestsPerSecond: z.number().min(0.01).default(DEFAULT_RELOAD_REQUESTS_PER_SECOND),
    /** Reload requests a client may make back to back. */
    reloadBurst: z.number().int().min(1).default(DEFAULT_RELOAD_BURST),
    /** Memory bound of the frame log. */
    maxLogBytes: z
      .number()
      .int()
      .min(2 * DEFAULT_LOG_BLOCK_BYTES)
      .default(DEFAULT_MAX_LOG_BYTES),
    /**
     * Bound of one client's outgoing queue. Reload chunks are written only while the queue is
     * under a quarter of it (the rest waits, and new reloads get `SEND_QUEUE_FULL`); a client
     * over it, or over a quarter of it for 10 s, is dropped (seat held for reconnection).
     */
    maxSendQueueBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(DEFAULT_MAX_SEND_QUEUE_BYTES),
    /** At the bound: drop the oldest frames (reloads before them get `FRAME_EVICTED`) or end the match (`log_full`). */
    logOverflow: z.enum(["evict-oldest", "end-match"]).default("evict-oldest"),
    /** Clients send the hash of their state after every frame whose number is a multiple of this (see the README's "Desyncs"); 0 turns checksums off. */
    checksumInterval: z.number().int().min(0).max(3600).default(DEFAULT_CHECKSUM_INTERVAL),
    /** How long the server waits for every connected player's hash of a checked frame before comparing those it has. */
    checksumWaitMs: z.number().int().min(1000).max(60_000).default(DEFAULT_CHECKSUM_WAIT_MS),
    /** On a desync: keep the match running (`continue`), or end it with reason `desync` once the dumps are in (`end-match`). */
    desyncPolicy: z.enum(["continue", "end-match"]).default("continue"),
    /** Largest state dump a player may upload for a desync report (0: no dumps are asked for). */
    maxDumpBytes: z.number().int().min(0).max(MAX_DUMP_BYTES_LIMIT).default(DEFAULT_MAX_DUMP_BYTES),
    /** Desyncs one match reports at most; later ones are counted in the metrics and logged, not announced. */
    maxDesyncReports: z.number().int().min(1).max(1000).default(DEFAULT_MAX_DESYNC_REPORTS),
    /** Anyone logged in may list and download this room's replays; by default only the match's players and admins may (see the README's "Replays"). */
    replaysPublic: z.boolean().default(false),
    /** Every how many frames (at the next agreed checked frame) the server takes a verified snapshot of the state; 0: none. Needs checksums. */
    snapshotIntervalFrames: z.number().int().min(0).max(MAX_SNAPSHOT_INTERVAL_FRAMES).default(0),
    /**
     * Bytes of verified snapshot state a match keeps for its replay, to seek from (held until the
     * match ends: a per-room cost); states over an eighth of it are not kept; 0: none.
     */
    replaySnapshotBytes: z.number().int().min(0).max(MAX_REPLAY_SNAPSHOT_BYTES_LIMIT).default(DEFAULT_REPLAY_SNAPSHOT_BYTES),
    /** Largest snapshot a player may upload (JSON). */
    maxSnapshotBytes: z.number().int().min(1024).max(MAX_DUMP_BYTES_LIMIT).default(DEFAULT_MAX_DUMP_BYTES),
    /** Spectators the room accepts besides its players (0: none; see the README's "Spectators"). */
    maxSpectators: z.number().int().min(0).max(MAX_SPECTATORS_LIMIT).default(0),
    /** How many frames behind the newest a spectator's frames are, live and through reloads; default three seconds' worth. */
    spectatorDelayFrames: z.number().int().min(0).max(MAX_SPECTATOR_DELAY_FRAMES).optional(),
    /**
     * How often the room's listing metadata (phase, frame, players, tick lateness, log size: the
     * monitor's rooms grid) is refreshed, in ms; written only when a value changed. 0: never.
     */
    listingRefreshMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .refine((ms) => ms === 0 || ms >= 250, "listingRefreshMs is 0 (off) or at least 250")
      .default(1000),
  })
  .strict()
  .refine((options) => options.minPlayers <= options.maxPlayers, {
    message: "minPlayers must not exceed maxPlayers",
  })
  // Reload chunks are written below a quarter of the bound: one chunk must fit in what is left.
  .refine((options) => options.reloadChunkBytes * 2 <= options.maxSendQueueBytes, {
    message: "maxSendQueueBytes must be at least twice reloadChunkBytes",
  })
  .refine((options) => options.snapshotIntervalFrames === 0 || options.checksumInterval > 0, {
    message: "snapshots are verified against the players' checksums: snapshotIntervalFrames needs checksumInterval above 0",
  })
  .transform((options) => ({ ...options, spectatorDelayFrames: options.spectatorDelayFrames ?? DEFAULT_SPECTATOR_DELAY_SECONDS * options.frameRate }));

/** Settings as a room writes them (every field optional). */
export type LockstepOptionsInput = z.input<typeof lockstepOptionsSchema>;

/** Settings after validation, every default applied. */
export type LockstepOptions = z.output<typeof lockstepOptionsSchema>;

/** Validates a room's settings once, at room creation. Throws an error naming each bad field. */
export function resolveLockstepOptions(input: LockstepOptionsInput | undefined): LockstepOptions {
  const parsed = lockstepOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`);
    throw new Error(`invalid lockstep options: ${problems.join("; ")}`);
  }
  return parsed.data;
}
