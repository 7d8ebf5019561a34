/**
 * The desync messages: what a client sends about its state (`sync_checksum`, `state_dump`,
 * see `checksum-codec.ts`) and what the server announces when the players' hashes disagree.
 * Keys are snake_case, as in every control message.
 */

/** Players whose hashes for the checked frame were identical. */
export interface DesyncGroup {
  /** The players of the group, in slot order. */
  readonly uids: readonly string[];
  readonly slots: readonly number[];
  /** The group's hash of the whole state (its parts' hashes joined, when the state was hashed in parts). */
  readonly hash: string;
  /** The hash of each named part, when the game hashes its state in parts. */
  readonly parts?: Readonly<Record<string, string>>;
}

/** The settings of the match that a reproduction needs. */
export interface DesyncMatchSettings {
  readonly frame_rate: number;
  readonly start_frame: number;
  readonly checksum_interval: number;
  readonly max_players: number;
}

/** A desync as announced to the room's clients and hook, the moment it is found. */
export interface DesyncNotice {
  /** Unique id of the report (stored under it when the server has a report store). */
  readonly id: string;
  readonly room_id: string;
  readonly room_name: string;
  /** The first frame known bad: the checked frame whose hashes disagreed. */
  readonly frame: number;
  /** The last checked frame on which every reporting player agreed, or null if none did yet. */
  readonly last_good_frame: number | null;
  /** The groups of players by hash, largest first. */
  readonly groups: readonly DesyncGroup[];
  /** Index in `groups` of the majority group (the reference), or null when no group is larger than every other one. */
  readonly reference: number | null;
  /** The players outside the reference group; with no reference, every reporting player. */
  readonly outliers: readonly string[];
  /** Names of the state parts whose hashes differ between groups (empty when the state was hashed as one value). */
  readonly parts: readonly string[];
  readonly seed: number;
  readonly settings: DesyncMatchSettings;
  /** The frames (inclusive) to replay from the match's start to reproduce it from the log. */
  readonly reproduce: { readonly from_frame: number; readonly to_frame: number };
  /** When the server found it (ISO 8601). */
  readonly created_at: string;
}

/** Payload of `state_dump_request`: the server asks one player of each group for its state at `frame`. */
export interface StateDumpRequest {
  /** The report the dump is for. */
  readonly report_id: string;
  /** The checked frame whose state is wanted (the first frame known bad). */
  readonly frame: number;
  /** Largest dump the server accepts, in bytes (encoded). */
  readonly max_bytes: number;
  /** Largest chunk of a `state_dump` message, in bytes of dump. */
  readonly chunk_bytes: number;
}
