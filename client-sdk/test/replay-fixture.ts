// Replay documents for the SDK's replay tests, written by the server's own encoders.
import { encodeReplayDocument } from "../../src/lockstep/replay-document.ts";
import { encodeFrame } from "../../src/protocol/frame-codec.ts";
import { ByteWriter } from "../../src/protocol/byte-writer.ts";
import { runsOfFrames } from "../../src/protocol/replay-format.ts";
import {
  type FrameEventKind,
  checksumParts,
  encodeAction,
  wholeStateHash,
  type PlayerInfo,
  type ReplayDocument,
  type ReplayHeader,
  type ReplayParticipant,
} from "../../src/protocol/index.ts";
import type { ReplayTicker } from "../src/replay-player.ts";
import { hashState } from "../src/state-hash.ts";
import type { LockstepFrame, MatchInfo } from "../src/types.ts";

/** The test game's one action: add `add` to the sender's total. */
export interface AddAction {
  readonly add: number;
}

/** One entry of a frame as written: an action of the test game, any other action, or a roster event. */
export type Entry =
  | { readonly slot: number; readonly add: number }
  | { readonly slot: number; readonly action: unknown }
  | { readonly slot: number; readonly event: FrameEventKind };

/** Encodes frames `start`, `start + 1`, … with the wire encoder, each from its list of entries in arrival order. */
export function encodeFrames(start: number, frames: readonly (readonly Entry[])[]): Uint8Array[] {
  return frames.map((entries, index) =>
    encodeFrame(new ByteWriter(), {
      frame: start + index,
      entries: entries.map((entry) =>
        "event" in entry
          ? { type: "event" as const, slot: entry.slot, kind: entry.event }
          : { type: "action" as const, slot: entry.slot, payload: encodeAction("add" in entry ? { add: entry.add } : entry.action) },
      ),
    }).toBytes(),
  );
}

export const player = (slot: number, uid: string): PlayerInfo => ({ uid, slot, name: uid.toUpperCase(), role: "player", ready: true, connected: true });

export function participant(slot: number, uid: string, joined: number, left: number | null = null): ReplayParticipant {
  return {
    uid,
    name: uid.toUpperCase(),
    role: "player",
    slot,
    joined_frame: joined,
    joined_at: "2030-01-01T00:00:00.000Z",
    left_frame: left,
    left_at: left === null ? null : "2030-01-01T00:01:00.000Z",
    left_reason: left === null ? null : "left",
  };
}

/** A header for `frameCount` frames from `start`, with two players seated at the start. */
export function header(start: number, frameCount: number, overrides: Partial<ReplayHeader> = {}): ReplayHeader {
  return {
    id: "replay-1",
    room_id: "room-1",
    room_name: "sum",
    seed: 1234,
    frame_rate: 20,
    start_frame: start,
    checksum_interval: 0,
    players: [player(0, "ann"), player(1, "ben")],
    participants: [participant(0, "ann", start), participant(1, "ben", start)],
    settings: {},
    end_reason: "ended",
    result: { winner: "ann" },
    started_at: "2030-01-01T00:00:00.000Z",
    ended_at: "2030-01-01T00:10:00.000Z",
    public: false,
    checksums: [],
    last_frame: start + frameCount - 1,
    ...overrides,
  };
}

/** A document in memory, as `readReplayDocument` returns it. */
export const inMemory = (head: ReplayHeader, frames: Uint8Array[]): ReplayDocument => ({ ...head, frames });

/** The same document as the server stores it (magic, version, gzip). */
export const stored = (head: ReplayHeader, frames: Uint8Array[]): Promise<Uint8Array> => encodeReplayDocument(head, runsOfFrames(frames));

/** `count` frames where slot 0 and slot 1 take turns adding varying amounts. */
export function sumFrames(count: number): Entry[][] {
  return Array.from({ length: count }, (_, n) =>
    n % 4 === 3
      ? []
      : [
          { slot: n % 2, add: (n * 7) % 11 },
          { slot: 1 - (n % 2), add: n % 3 },
        ],
  );
}

/** The test game: a running total per uid. Deterministic in the seed and the frames. */
export interface SumState {
  frame: number;
  total: number;
  byUid: Record<string, number>;
}

export const createSum = (info: MatchInfo): SumState => ({ frame: info.startFrame - 1, total: info.seed, byUid: {} });

export function stepSum(state: SumState, frame: LockstepFrame<AddAction>): void {
  for (const { uid, action } of frame.actions) {
    state.total += action.add;
    state.byUid[uid] = (state.byUid[uid] ?? 0) + action.add;
  }
  state.frame = frame.frame;
}

/** The state's hash in named parts, as a game with `run(loop, { hash })` would give it. */
export const hashSum = (state: SumState): Record<string, string> => ({ total: hashState(state.total), byUid: hashState(state.byUid) });

/**
 * The whole-state hash after each of `frames` (as the server would have recorded it), computed
 * straight from the entries, without the player: what the replay must reproduce.
 */
export function expectedHashes(info: MatchInfo, frames: readonly (readonly Entry[])[], uidOf: (slot: number) => string): string[] {
  const state = createSum(info);
  return frames.map((entries, index) => {
    const actions = entries.flatMap((entry) => ("add" in entry ? [{ slot: entry.slot, uid: uidOf(entry.slot), action: { add: entry.add } }] : []));
    stepSum(state, { frame: info.startFrame + index, actions, events: [] });
    return wholeStateHash(checksumParts(hashSum(state)));
  });
}

/** A clock the test moves by hand: `advance(ms)` delivers one tick while the player is ticking. */
export class ManualTicker {
  now = 1_000;
  #tick: ((now: number) => void) | undefined;
  /** How many times the player started ticking. */
  starts = 0;

  readonly ticker: ReplayTicker = (tick) => {
    this.#tick = tick;
    this.starts++;
    return () => {
      if (this.#tick === tick) this.#tick = undefined;
    };
  };

  /** True while the player keeps a ticker running. */
  get running(): boolean {
    return this.#tick !== undefined;
  }

  /** Moves time on by `ms` and ticks once (if running). */
  advance(ms: number): void {
    this.now += ms;
    this.#tick?.(this.now);
  }
}
