import type { MatchEndMessage, MatchStartMessage } from "../protocol/messages.ts";
import type { ReplayChecksum, ReplayHeader, ReplayParticipant, ReplaySnapshot } from "../protocol/replay-format.ts";
import type { LeaveReason } from "./lockstep-room.ts";
import { DEFAULT_REPLAY_SNAPSHOT_BYTES, ReplaySnapshots } from "./replay-snapshots.ts";
import type { LockstepPlayer } from "./roster.ts";

/**
 * Most agreed checksums one replay keeps: 20,000 is 5.5 hours at the default interval (30
 * frames at 30 Hz). Overflow rule: later agreements are not recorded (the replay still holds
 * every frame; only its verification points stop).
 */
export const MAX_REPLAY_CHECKSUMS = 20_000;
/**
 * Most participants one replay keeps. A seat is taken only through matchmaking and
 * `maxPlayers` bounds who holds one at a time, but a long match with late joins could churn:
 * past this bound, further joiners are not listed (their frames are still in the replay).
 */
export const MAX_REPLAY_PARTICIPANTS = 256;

/** What a match's replay needs from before it ended and survives a hand-over (stored with the seats). */
export interface ReplayHistory {
  /** The replay's id, minted when the match starts: one per match, whichever process ends it. */
  readonly replay_id: string;
  readonly started_at: string;
  readonly participants: readonly ReplayParticipant[];
}

/** The match-level facts the header takes from the room. */
export interface ReplayMatchFacts {
  readonly roomId: string;
  readonly roomName: string;
  readonly match: MatchStartMessage;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly public: boolean;
}

/**
 * Keeps what a match's replay says besides its frames, as the match runs: who held a seat
 * from which frame to which (and when), the checksums every player agreed on, and verified
 * snapshots spread over the match (to seek from in playback). Writes
 * nothing itself: the room hands {@link header} to the replay archive once the match ends.
 */
export class ReplayRecorder {
  readonly #now: () => Date;
  readonly #joinedAt = new Map<string, string>();
  readonly #participants: ReplayParticipant[] = [];
  readonly #checksums: ReplayChecksum[] = [];
  readonly #snapshots: ReplaySnapshots;
  #replayId: string | undefined;
  #startedAt: string | undefined;

  /** @param snapshotBytes - the room's `replaySnapshotBytes` (0: the replay keeps no snapshots). */
  constructor(now: () => Date = () => new Date(), snapshotBytes = DEFAULT_REPLAY_SNAPSHOT_BYTES) {
    this.#now = now;
    this.#snapshots = new ReplaySnapshots(snapshotBytes);
  }

  /** The replay's id, once the match started. */
  get replayId(): string | undefined {
    return this.#replayId;
  }

  /** A player took a seat before the start: the time is kept for the roster. */
  seated(uid: string): void {
    this.#joinedAt.set(uid, this.#now().toISOString());
  }

  /** A waiting player left before the start: not part of the match. */
  unseated(uid: string): void {
    this.#joinedAt.delete(uid);
  }

  /** The match starts now, with these players, under `replayId`. */
  start(replayId: string, players: readonly LockstepPlayer[], startFrame: number): void {
    this.#replayId = replayId;
    const now = this.#now().toISOString();
    this.#startedAt = now;
    for (const player of players) this.#add(player, startFrame, this.#joinedAt.get(player.uid) ?? now);
    this.#joinedAt.clear();
  }

  /** A player joined the running match; its `JOINED` event is in `frame`. */
  joined(player: LockstepPlayer, frame: number): void {
    this.#add(player, frame, this.#now().toISOString());
  }

  /** A player left the running match for good; its `LEFT` event is in `frame`. */
  left(player: LockstepPlayer, frame: number, reason: LeaveReason): void {
    const index = this.#participants.findLastIndex((entry) => entry.uid === player.uid && entry.left_frame === null);
    if (index < 0) return;
    this.#participants[index] = { ...this.#participants[index]!, left_frame: frame, left_at: this.#now().toISOString(), left_reason: reason };
  }

  /** Every player's hash of `frame` was `hash`. A repeated or older frame (a late hash that agreed too) is not recorded twice. */
  agreed(frame: number, hash: string): void {
    const last = this.#checksums.at(-1);
    if ((last !== undefined && frame <= last.frame) || this.#checksums.length >= MAX_REPLAY_CHECKSUMS) return;
    this.#checksums.push({ frame, hash });
  }

  /**
   * A snapshot was verified (or a resumed match starts from one): kept for the replay within its
   * bounds. After a hand-over, the replay holds the one the match resumed from and those verified
   * since; earlier ones stayed with the previous process.
   */
  snapshot(snapshot: ReplaySnapshot): void {
    this.#snapshots.offer(snapshot);
  }

  /** What must outlive this process (saved with the seats), once started. */
  history(): ReplayHistory | undefined {
    if (this.#replayId === undefined) return undefined;
    return { replay_id: this.#replayId, started_at: this.#startedAt!, participants: [...this.#participants] };
  }

  /** Continues the history of a match resumed from its journal. Checksums agreed on the previous process are not carried over. */
  restore(history: ReplayHistory): void {
    this.#replayId = history.replay_id;
    this.#startedAt = history.started_at;
    this.#participants.splice(0, this.#participants.length, ...history.participants);
  }

  /** The replay's header for a match that ended as `end`. */
  header(facts: ReplayMatchFacts, end: MatchEndMessage): ReplayHeader {
    const { match } = facts;
    return {
      id: this.#replayId!,
      room_id: facts.roomId,
      room_name: facts.roomName,
      seed: match.seed,
      frame_rate: match.frame_rate,
      start_frame: match.start_frame,
      checksum_interval: match.checksum_interval ?? 0,
      players: match.players,
      participants: [...this.#participants],
      // The game's own settings (`replaySettings()`) too: what JSON cannot hold must not fail every write attempt.
      settings: (jsonSafe(facts.settings) ?? {}) as Readonly<Record<string, unknown>>,
      end_reason: end.reason,
      result: jsonSafe(end.result),
      started_at: this.#startedAt!,
      ended_at: this.#now().toISOString(),
      public: facts.public,
      checksums: [...this.#checksums],
      last_frame: end.last_frame,
      // A snapshot after the last frame cannot be (a snapshot is of an agreed, closed frame); kept out all the same.
      snapshots: this.#snapshots.kept.filter((snapshot) => snapshot.frame <= end.last_frame),
    };
  }

  #add(player: LockstepPlayer, frame: number, joinedAt: string): void {
    if (this.#participants.length >= MAX_REPLAY_PARTICIPANTS) return;
    this.#participants.push({
      uid: player.uid,
      name: player.name,
      role: player.role,
      slot: player.slot,
      joined_frame: frame,
      joined_at: joinedAt,
      left_frame: null,
      left_at: null,
      left_reason: null,
    });
  }
}

/** The result as JSON keeps it (`undefined` → null); one JSON cannot hold (a cycle, a BigInt) is replaced by a note, not lost silently. */
function jsonSafe(result: unknown): unknown {
  if (result === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(result)) as unknown;
  } catch (error) {
    return { unserializable: (error as Error).message };
  }
}
