import { StateDumpFormat, type StateDumpChunk } from "../protocol/checksum-codec.ts";
import type { DesyncGroup } from "../protocol/desync-messages.ts";
import { LockstepErrorCode, type LockstepErrorMessage, type SnapshotRequest } from "../protocol/messages.ts";
import { hashState } from "../protocol/state-hash.ts";
import { decodeDump } from "./dump-collector.ts";

/** A snapshot the server verified: the state after `frame`, as the JSON text every client loads. */
export interface VerifiedSnapshot {
  readonly frame: number;
  readonly state: string;
}

/** An agreed check a snapshot can be taken at: the frame, the agreed hash's parts, and who sent it. */
interface Agreement {
  readonly frame: number;
  /** Part name → hash (`""` for a state hashed as one value). */
  readonly parts: ReadonlyMap<string, string>;
  readonly slots: readonly number[];
}

interface Upload {
  readonly agreement: Agreement;
  readonly slot: number;
  readonly deadline: number;
  readonly chunks: Uint8Array[];
  count: number;
  bytes: number;
}

/** What the keeper needs from its room. */
export interface SnapshotHost {
  /** Whether the player in `slot` is connected (asked only of those). */
  readonly connected: (slot: number) => boolean;
  /** Sends `snapshot_request` to the player in `slot`. */
  readonly request: (slot: number, request: SnapshotRequest) => void;
  /** A snapshot was verified and is now the latest (the room journals it). */
  readonly verified?: (snapshot: VerifiedSnapshot) => void;
}

/**
 * Verified snapshots of a match. After a checked frame on which every player's hash agreed, at
 * most every `intervalFrames`, one connected player who sent that hash is asked for its state
 * at that frame (`snapshot_request`); it uploads it as JSON in `state_dump`-layout chunks. The
 * server trusts no client with it: it decodes the state and computes `hashState` of it (of the
 * whole state for a one-value hash, or of each top-level key for a hash in named parts, which
 * must then be exactly the state's keys), and keeps the snapshot only if that is the hash every
 * player agreed on. A refused or abandoned upload is asked again of another agreeing player at
 * the next agreed check. Bounds: one upload at a time, `maxBytes` each, one snapshot kept.
 */
export class SnapshotKeeper {
  readonly #intervalFrames: number;
  readonly #maxBytes: number;
  readonly #waitFrames: number;
  readonly #host: SnapshotHost;
  /** The match's first frame: the first snapshot is taken an interval after it (the start needs none: the seed makes it). */
  readonly #startFrame: number;
  #latest: VerifiedSnapshot | undefined;
  #upload: Upload | undefined;
  /** The last player whose upload failed: asked last next time. */
  #failedSlot: number | undefined;

  constructor(intervalFrames: number, maxBytes: number, waitFrames: number, startFrame: number, host: SnapshotHost) {
    this.#startFrame = startFrame;
    this.#intervalFrames = intervalFrames;
    this.#maxBytes = maxBytes;
    this.#waitFrames = waitFrames;
    this.#host = host;
  }

  /** The newest verified snapshot, if any. */
  get latest(): VerifiedSnapshot | undefined {
    return this.#latest;
  }

  /** Takes `snapshot` (verified by the process that ran the match before) as the latest: a resumed match keeps serving it. */
  restore(snapshot: VerifiedSnapshot): void {
    if (snapshot.frame > (this.#latest?.frame ?? Number.NEGATIVE_INFINITY)) this.#latest = snapshot;
  }

  /** Every player's hash of `frame` was `group`'s: asks one of them for a snapshot if one is due. */
  agreed(frame: number, group: DesyncGroup, lastClosed: number): void {
    if (this.#upload !== undefined || frame - (this.#latest?.frame ?? this.#startFrame) < this.#intervalFrames) return;
    const candidates = group.slots.filter((slot) => this.#host.connected(slot));
    // Someone else than the player who failed last, if anyone else agreed.
    const slot = candidates.find((candidate) => candidate !== this.#failedSlot) ?? candidates[0];
    if (slot === undefined) return;
    const parts = new Map(group.parts === undefined ? [["", group.hash]] : Object.entries(group.parts));
    this.#upload = { agreement: { frame, parts, slots: group.slots }, slot, deadline: lastClosed + this.#waitFrames, chunks: [], count: 0, bytes: 0 };
    this.#host.request(slot, { frame, max_bytes: this.#maxBytes });
  }

  /** One chunk of `slot`'s upload; a refusal says why (and the upload is over). */
  receive(slot: number, chunk: StateDumpChunk): LockstepErrorMessage | undefined {
    const upload = this.#upload;
    if (upload === undefined || upload.slot !== slot || chunk.frame !== upload.agreement.frame) {
      return refusal(LockstepErrorCode.SNAPSHOT_NOT_REQUESTED, `no snapshot of frame ${chunk.frame} was asked of this player`);
    }
    if (chunk.format !== StateDumpFormat.JSON || chunk.index !== upload.chunks.length || (upload.count > 0 && chunk.count !== upload.count)) {
      return this.#fail(`expected JSON chunk ${upload.chunks.length} of the snapshot, in order, with the same count`);
    }
    upload.count = chunk.count;
    upload.bytes += chunk.bytes.byteLength;
    if (upload.bytes > this.#maxBytes) return this.#fail(`the snapshot exceeds the room's limit of ${this.#maxBytes} bytes`);
    // A copy: the chunk is a view of a socket buffer.
    upload.chunks.push(chunk.bytes.slice());
    if (upload.chunks.length < upload.count) return undefined;
    const bytes = Buffer.concat(upload.chunks);
    let state: unknown;
    try {
      state = decodeDump(bytes, StateDumpFormat.JSON);
    } catch (error) {
      return this.#fail(`the snapshot does not decode: ${(error as Error).message}`);
    }
    const wrong = mismatch(state, upload.agreement.parts);
    if (wrong !== undefined)
      return this.#fail(`the snapshot's state does not hash to what every player agreed on for frame ${upload.agreement.frame} (${wrong})`);
    this.#latest = { frame: upload.agreement.frame, state: bytes.toString("utf8") };
    this.#upload = undefined;
    this.#failedSlot = undefined;
    this.#host.verified?.(this.#latest);
    return undefined;
  }

  /** The player in `slot` dropped or left: its upload is abandoned (another player is asked at the next agreed check). */
  playerGone(slot: number): void {
    if (this.#upload?.slot === slot) {
      this.#failedSlot = slot;
      this.#upload = undefined;
    }
  }

  /** Frame `lastClosed` closed: an upload past its wait is abandoned. */
  advance(lastClosed: number): void {
    const upload = this.#upload;
    if (upload !== undefined && lastClosed > upload.deadline) this.playerGone(upload.slot);
  }

  #fail(message: string): LockstepErrorMessage {
    this.#failedSlot = this.#upload?.slot;
    this.#upload = undefined;
    return refusal(LockstepErrorCode.SNAPSHOT_INVALID, message);
  }
}

/** Why `state` does not hash to the agreed `parts`, or undefined if it does. */
function mismatch(state: unknown, parts: ReadonlyMap<string, string>): string | undefined {
  if (parts.size === 1 && parts.has("")) return hashState(state) === parts.get("") ? undefined : "the whole state differs";
  if (typeof state !== "object" || state === null || Array.isArray(state)) return "a hash in named parts needs a state object";
  const keys = Object.keys(state).sort();
  const names = [...parts.keys()].sort();
  if (keys.join("\u0000") !== names.join("\u0000")) return `its keys ${keys.join(", ")} are not the hashed parts ${names.join(", ")}`;
  const differing = names.filter((name) => hashState((state as Record<string, unknown>)[name]) !== parts.get(name));
  return differing.length === 0 ? undefined : `parts ${differing.join(", ")} differ`;
}

function refusal(code: LockstepErrorCode, message: string): LockstepErrorMessage {
  return { code, type: "snapshot_upload", message };
}
