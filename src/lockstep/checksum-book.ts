import type { Checksum } from "../protocol/checksum-codec.ts";
import type { DesyncGroup, DesyncNotice } from "../protocol/desync-messages.ts";
import { LockstepErrorCode } from "../protocol/messages.ts";
import { wholeStateHash } from "../protocol/replay-format.ts";

/**
 * What the book found on a checked frame whose hashes disagree: the comparison's part of a
 * `DesyncNotice` (groups largest first, ties by lowest slot; `last_good_frame` is the last
 * checked frame before it on which at least two players agreed and nobody disagreed).
 */
export type Divergence = Pick<DesyncNotice, "frame" | "last_good_frame" | "groups" | "reference" | "outliers" | "parts">;

/** The answer to a checksum: accepted, or refused with an error (every refusal is a strike). */
export type ChecksumVerdict = { readonly accepted: true } | { readonly accepted: false; readonly code: LockstepErrorCode; readonly message: string };

interface Reported {
  readonly uid: string;
  /** The whole-state hash of `parts` (see `wholeStateHash`), computed once on arrival. */
  readonly key: string;
  /** Shared by every player of an agreed check (equal keys mean equal parts): one map is kept, not one per player. */
  parts: ReadonlyMap<string, string>;
}

interface Check {
  readonly frame: number;
  /** The last closed frame when the first hash arrived: the wait for the others starts there. */
  readonly openedAt: number;
  readonly hashes: Map<number, Reported>;
  /** Connected players the check waits for (those that leave or drop are not waited for). */
  readonly waitingFor: Set<number>;
  decided: boolean;
  agreed: boolean;
}

/** Construction options of {@link ChecksumBook}. */
export interface ChecksumBookOptions {
  /** Checked frames are the multiples of this. */
  readonly interval: number;
  /** Frames a check waits for late hashes before comparing those it has. */
  readonly waitFrames: number;
  /** Called when a check's hashes disagree in a way not reported yet. */
  readonly onDivergence: (divergence: Divergence) => void;
  /** Called when every hash received for a checked frame is the same (again if a late hash agrees too), with that whole-state hash and the group that sent it. */
  readonly onAgreed?: (frame: number, hash: string, group: DesyncGroup) => void;
}

const ACCEPTED: ChecksumVerdict = { accepted: true };

/**
 * The server's side of desync detection: collects the players' hashes of each checked frame,
 * compares them once every connected player has sent one (or the wait is over), and reports a
 * divergence once per change in who disagrees with whom: a player whose state stays wrong is
 * reported once, not every interval, until the players agree again.
 *
 * Time is counted in closed frames (so a room on the testing kit's manual clock is exact).
 * Bounds: a check lives for twice the wait, so at most `2 × waitFrames / interval + 1` checks of
 * at most one hash per player are held; a hash for a frame older than that is refused.
 */
export class ChecksumBook {
  readonly #interval: number;
  readonly #waitFrames: number;
  readonly #onDivergence: (divergence: Divergence) => void;
  readonly #onAgreed: ((frame: number, hash: string, group: DesyncGroup) => void) | undefined;
  readonly #checks = new Map<number, Check>();
  /** Partition of players (by uid) last reported; cleared when all of them agree again. */
  #reported: { readonly partition: string; readonly uids: ReadonlySet<string> } | undefined;
  #lastAgreed: number | null = null;
  /** The first closed frame at which `advance` has something to do (a wait ends, or a check leaves the window). */
  #nextDue = Number.POSITIVE_INFINITY;
  /** Highest agreed frame among checks no longer held. */
  #lastGoodBeforeWindow: number | null = null;

  constructor(options: ChecksumBookOptions) {
    if (!Number.isInteger(options.interval) || options.interval < 1) throw new RangeError("the checksum interval must be a positive integer");
    this.#interval = options.interval;
    this.#waitFrames = Math.max(1, Math.ceil(options.waitFrames));
    this.#onDivergence = options.onDivergence;
    this.#onAgreed = options.onAgreed;
  }

  /** Frames behind the last closed one for which a hash is still accepted. */
  get acceptWindow(): number {
    return 2 * this.#waitFrames;
  }

  /** The highest checked frame on which at least two players agreed and nobody disagreed, or null. */
  get lastAgreedFrame(): number | null {
    return this.#lastAgreed;
  }

  /** Checks held (bounded, see the class comment). */
  get size(): number {
    return this.#checks.size;
  }

  /**
   * Records `slot`'s hash. `lastClosed` is the last frame sent to clients; `connected` the slots
   * of the players connected now, whom a new check waits for.
   */
  record(slot: number, uid: string, checksum: Checksum, lastClosed: number, connected: () => Iterable<number>): ChecksumVerdict {
    const frame = checksum.frame;
    if (frame % this.#interval !== 0) {
      return refuse(LockstepErrorCode.FRAME_OUT_OF_RANGE, `frame ${frame} is not a checked frame (every ${this.#interval})`);
    }
    if (frame > lastClosed) return refuse(LockstepErrorCode.FRAME_OUT_OF_RANGE, `frame ${frame} has not closed yet (last: ${lastClosed})`);
    if (frame < lastClosed - this.acceptWindow) {
      return refuse(LockstepErrorCode.FRAME_OUT_OF_RANGE, `frame ${frame} is too old to be checked (last: ${lastClosed}, window: ${this.acceptWindow} frames)`);
    }
    let check = this.#checks.get(frame);
    if (check === undefined) {
      check = { frame, openedAt: lastClosed, hashes: new Map(), waitingFor: new Set(connected()), decided: false, agreed: false };
      this.#checks.set(frame, check);
      this.#nextDue = Math.min(this.#nextDue, lastClosed + this.#waitFrames, frame + this.acceptWindow + 1);
    }
    if (check.hashes.has(slot)) return refuse(LockstepErrorCode.CHECKSUM_REPEATED, `a checksum for frame ${frame} was already received`);
    check.hashes.set(slot, { uid, key: wholeStateHash(checksum.parts), parts: checksum.parts });
    check.waitingFor.delete(slot);
    // A late hash of a decided check is compared at once: a player who steps late is still checked.
    if (check.decided || check.waitingFor.size === 0) this.#decide(check);
    return ACCEPTED;
  }

  /** A player dropped or left: checks stop waiting for it. */
  playerGone(slot: number): void {
    for (const check of this.#checks.values()) {
      if (!check.decided && check.waitingFor.delete(slot) && check.waitingFor.size === 0 && check.hashes.size > 0) this.#decide(check);
    }
  }

  /** Frame `lastClosed` closed: decides the checks whose wait is over, forgets those out of the window. */
  advance(lastClosed: number): void {
    // Called on every tick: most ticks have nothing to decide or forget.
    if (lastClosed < this.#nextDue) return;
    this.#nextDue = Number.POSITIVE_INFINITY;
    for (const check of this.#checks.values()) {
      if (!check.decided && lastClosed - check.openedAt >= this.#waitFrames) this.#decide(check);
      if (check.frame < lastClosed - this.acceptWindow) {
        if (check.agreed && (this.#lastGoodBeforeWindow === null || check.frame > this.#lastGoodBeforeWindow)) this.#lastGoodBeforeWindow = check.frame;
        this.#checks.delete(check.frame);
        continue;
      }
      if (!check.decided) this.#nextDue = Math.min(this.#nextDue, check.openedAt + this.#waitFrames);
      this.#nextDue = Math.min(this.#nextDue, check.frame + this.acceptWindow + 1);
    }
  }

  #decide(check: Check): void {
    check.decided = true;
    const groups = groupByHash(check.hashes);
    if (groups.length === 1) {
      // One player alone agrees with nobody: it is not evidence that the states match.
      check.agreed = check.hashes.size >= 2;
      // The check is held a while longer for late hashes: it keeps one copy of the agreed parts.
      const shared = check.hashes.values().next().value!.parts;
      for (const reported of check.hashes.values()) reported.parts = shared;
      if (check.agreed && (this.#lastAgreed === null || check.frame > this.#lastAgreed)) this.#lastAgreed = check.frame;
      // Over only once everyone it named agrees: a partial agreement (the outlier's hash not in yet) does not end it.
      if (check.agreed && this.#reported !== undefined && [...this.#reported.uids].every((uid) => groups[0]!.uids.includes(uid))) this.#reported = undefined;
      this.#onAgreed?.(check.frame, groups[0]!.hash, groups[0]!);
      return;
    }
    check.agreed = false;
    const partition = groups.map((group) => group.uids.join(",")).join("|");
    if (partition === this.#reported?.partition) return;
    this.#reported = { partition, uids: new Set(groups.flatMap((group) => group.uids)) };
    const reference = groups[0]!.uids.length > groups[1]!.uids.length ? 0 : null;
    const outliers = groups.flatMap((group, index) => (index === reference ? [] : group.uids));
    this.#onDivergence({
      frame: check.frame,
      last_good_frame: this.#lastGoodBefore(check.frame),
      groups,
      reference,
      outliers,
      parts: differingParts(check.hashes),
    });
  }

  #lastGoodBefore(frame: number): number | null {
    let best = this.#lastGoodBeforeWindow;
    for (const check of this.#checks.values()) {
      if (check.agreed && check.frame < frame && (best === null || check.frame > best)) best = check.frame;
    }
    return best;
  }
}

function refuse(code: LockstepErrorCode, message: string): ChecksumVerdict {
  return { accepted: false, code, message };
}

/** Players grouped by identical hashes, largest group first, then by lowest slot; members in slot order. */
function groupByHash(hashes: ReadonlyMap<number, Reported>): DesyncGroup[] {
  const bySlot = [...hashes].sort(([a], [b]) => a - b);
  const groups = new Map<string, { uids: string[]; slots: number[]; parts: ReadonlyMap<string, string> }>();
  for (const [slot, reported] of bySlot) {
    const key = reported.key;
    let group = groups.get(key);
    if (group === undefined) {
      group = { uids: [], slots: [], parts: reported.parts };
      groups.set(key, group);
    }
    group.uids.push(reported.uid);
    group.slots.push(slot);
  }
  return [...groups]
    .sort(([, a], [, b]) => b.slots.length - a.slots.length || a.slots[0]! - b.slots[0]!)
    .map(([hash, group]) => ({
      uids: group.uids,
      slots: group.slots,
      hash,
      ...(group.parts.size === 1 && group.parts.has("") ? {} : { parts: Object.fromEntries(group.parts) }),
    }));
}

/** Part names whose hash is not the same for every player (missing counts as different). */
function differingParts(hashes: ReadonlyMap<number, Reported>): string[] {
  const names = new Set<string>();
  for (const reported of hashes.values()) for (const name of reported.parts.keys()) names.add(name);
  if (names.size === 1 && names.has("")) return [];
  const differing: string[] = [];
  for (const name of [...names].sort()) {
    const values = new Set<string | undefined>();
    for (const reported of hashes.values()) values.add(reported.parts.get(name));
    if (values.size > 1) differing.push(name);
  }
  return differing;
}
