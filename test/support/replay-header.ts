import { randomUUID } from "node:crypto";
import type { ReplayHeader } from "../../src/protocol/replay-format.ts";

/** A valid replay header of an ended 30 Hz arena match, no players, frames 0..`last_frame`; `overrides` replace fields. */
export function replayHeader(overrides: Partial<ReplayHeader> = {}): ReplayHeader {
  return {
    id: randomUUID(),
    room_id: `room-${randomUUID().slice(0, 8)}`,
    room_name: "arena",
    seed: 7,
    frame_rate: 30,
    start_frame: 0,
    checksum_interval: 0,
    players: [],
    participants: [],
    settings: {},
    end_reason: "ended",
    result: null,
    started_at: "2026-01-01T00:00:00.000Z",
    ended_at: "2026-01-01T00:01:00.000Z",
    public: false,
    checksums: [],
    last_frame: 0,
    ...overrides,
  };
}

/** A participant seated from the start to the end. */
export function participant(uid: string, slot: number, joinedAt = "2026-01-01T00:00:00.000Z"): ReplayHeader["participants"][number] {
  return { uid, name: uid.toUpperCase(), role: "player", slot, joined_frame: 0, joined_at: joinedAt, left_frame: null, left_at: null, left_reason: null };
}
