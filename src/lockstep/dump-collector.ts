import { decodeAction } from "../protocol/action-codec.ts";
import { StateDumpFormat, type StateDumpChunk } from "../protocol/checksum-codec.ts";
import { LockstepErrorCode } from "../protocol/messages.ts";
import { MAX_PLAIN_DEPTH, assertPlainMsgpack } from "../protocol/plain-msgpack.ts";
import type { DesyncDump, DesyncNotice, DesyncReport } from "./desync-report.ts";
import { diffStates } from "./state-diff.ts";

/** A player asked for its state: one per group of the report. */
export interface DumpTarget {
  readonly slot: number;
  readonly uid: string;
  readonly group: number;
}

/** The answer to a dump chunk: accepted, or refused (a strike: an honest SDK sends only what was asked, in bounds). */
export type DumpVerdict = { readonly accepted: true } | { readonly accepted: false; readonly code: LockstepErrorCode; readonly message: string };

interface Upload {
  readonly target: DumpTarget;
  readonly chunks: Uint8Array[];
  count: number;
  format: StateDumpFormat;
  bytes: number;
  /** Refused or decoded: no more chunks are taken. */
  settled: boolean;
}

interface Collection {
  readonly notice: DesyncNotice;
  /** Last closed frame after which the report is finished with whatever has arrived. */
  readonly deadline: number;
  readonly uploads: Map<number, Upload>;
  readonly dumps: DesyncDump[];
}

const ACCEPTED: DumpVerdict = { accepted: true };
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function refuse(code: LockstepErrorCode, message: string): DumpVerdict {
  return { accepted: false, code, message };
}

/**
 * Collects the state dumps of one desync report: one player of each group uploads its state at
 * the diverging frame, in chunks, in order; once every asked player has (or the wait is over)
 * the report is finished with the dumps and the paths where they differ.
 *
 * Bounds: one collection at a time per room (a desync found meanwhile is reported without
 * dumps); each upload is at most `maxBytes`, from a player that was asked, for that frame only;
 * anything else is refused.
 */
export class DumpCollector {
  readonly #maxBytes: number;
  readonly #waitFrames: number;
  #collection: Collection | undefined;

  constructor(maxBytes: number, waitFrames: number) {
    this.#maxBytes = maxBytes;
    this.#waitFrames = waitFrames;
  }

  /** True while a report waits for dumps. */
  get busy(): boolean {
    return this.#collection !== undefined;
  }

  /** Waits for the dumps of `targets` for `notice` from now (`lastClosed`) on. Call only when not {@link busy}. */
  start(notice: DesyncNotice, targets: readonly DumpTarget[], lastClosed: number): void {
    const uploads = new Map<number, Upload>();
    for (const target of targets) uploads.set(target.slot, { target, chunks: [], count: 0, format: StateDumpFormat.JSON, bytes: 0, settled: false });
    this.#collection = { notice, deadline: lastClosed + this.#waitFrames, uploads, dumps: [] };
  }

  /** Takes one chunk from `slot`. */
  receive(slot: number, chunk: StateDumpChunk): DumpVerdict {
    const collection = this.#collection;
    const upload = collection?.uploads.get(slot);
    if (collection === undefined || upload === undefined || upload.settled || chunk.frame !== collection.notice.frame) {
      return refuse(LockstepErrorCode.DUMP_NOT_REQUESTED, `no state dump of frame ${chunk.frame} was asked of this player`);
    }
    const expected = upload.chunks.length;
    if (chunk.index !== expected || (expected > 0 && (chunk.count !== upload.count || chunk.format !== upload.format))) {
      upload.settled = true;
      return refuse(LockstepErrorCode.DUMP_INVALID, `expected chunk ${expected} of the dump, in order, with the same count and format`);
    }
    upload.count = chunk.count;
    upload.format = chunk.format;
    upload.bytes += chunk.bytes.byteLength;
    if (upload.bytes > this.#maxBytes) {
      upload.settled = true;
      return refuse(LockstepErrorCode.DUMP_INVALID, `the dump exceeds the room's limit of ${this.#maxBytes} bytes`);
    }
    // A copy: the chunk is a view of a socket buffer.
    upload.chunks.push(chunk.bytes.slice());
    if (upload.chunks.length < upload.count) return ACCEPTED;
    upload.settled = true;
    let state: unknown;
    try {
      state = decodeDump(Buffer.concat(upload.chunks), upload.format);
    } catch (error) {
      return refuse(LockstepErrorCode.DUMP_INVALID, `the dump does not decode: ${(error as Error).message}`);
    } finally {
      upload.chunks.length = 0;
    }
    const { target } = upload;
    collection.dumps.push({
      uid: target.uid,
      slot: target.slot,
      group: target.group,
      format: upload.format === StateDumpFormat.JSON ? "json" : "msgpack",
      state,
    });
    return ACCEPTED;
  }

  /** A player asked for a dump left: the report does not wait for it. */
  playerGone(slot: number): void {
    const upload = this.#collection?.uploads.get(slot);
    if (upload !== undefined) upload.settled = true;
  }

  /** The finished report, once every asked player answered or the wait is over (then the collector is free again). */
  advance(lastClosed: number): DesyncReport | undefined {
    const collection = this.#collection;
    if (collection === undefined) return undefined;
    const done = [...collection.uploads.values()].every((upload) => upload.settled);
    if (!done && lastClosed < collection.deadline) return undefined;
    this.#collection = undefined;
    return finishReport(collection.notice, collection.dumps, collection.uploads.size);
  }
}

/** The report of `notice` with `dumps` (in group order) and their differences. */
export function finishReport(notice: DesyncNotice, dumps: readonly DesyncDump[], asked: number): DesyncReport {
  const ordered = [...dumps].sort((a, b) => a.group - b.group);
  const diff = diffStates(ordered.map((dump) => dump.state));
  const status = ordered.length === 0 ? "none" : ordered.length === asked && asked === notice.groups.length ? "complete" : "partial";
  return { ...notice, dumps: ordered, diff: diff.entries, diff_truncated: diff.truncated, dump_status: status };
}

/** A state upload (dump or snapshot) decoded as plain data, nested at most 32 deep; throws on anything else. */
export function decodeDump(bytes: Uint8Array, format: StateDumpFormat): unknown {
  if (format === StateDumpFormat.MSGPACK) {
    // Plain data, at most MAX_PLAIN_DEPTH deep, checked before anything is built.
    assertPlainMsgpack(bytes);
    return decodeAction(bytes);
  }
  const state: unknown = JSON.parse(strictUtf8.decode(bytes));
  // 64 KiB of `[[[[…` is 32,000 levels: the diff and the report's JSON walk a dump recursively.
  assertShallow(state, MAX_PLAIN_DEPTH);
  return state;
}

/** Throws unless `value`'s arrays and objects nest at most `maxDepth` deep (checked without recursion). */
function assertShallow(value: unknown, maxDepth: number): void {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (depth >= maxDepth) throw new Error(`nested deeper than ${maxDepth} levels`);
    for (const child of Object.values(current)) pending.push({ value: child, depth: depth + 1 });
  }
}
