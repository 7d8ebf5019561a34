import { randomUUID } from "node:crypto";
import { logger } from "@colyseus/core";
import { STATE_DUMP_CHUNK_BYTES, decodeChecksum, decodeStateDumpChunk, type StateDumpChunk } from "../protocol/checksum-codec.ts";
import type { DesyncGroup, DesyncNotice, StateDumpRequest } from "../protocol/desync-messages.ts";
import { LockstepErrorCode, type LockstepErrorMessage, type MatchStartMessage } from "../protocol/messages.ts";
import { ChecksumBook, type Divergence } from "./checksum-book.ts";
import type { DesyncReport } from "./desync-report.ts";
import { DumpCollector, finishReport, type DumpTarget } from "./dump-collector.ts";
import type { LockstepMetrics } from "./metrics.ts";
import type { LockstepOptions } from "./options.ts";
import type { LockstepPlayer } from "./roster.ts";

/** What a {@link DesyncWatch} needs from its room. */
export interface DesyncWatchHost {
  readonly roomId: () => string;
  readonly roomName: () => string;
  readonly match: () => MatchStartMessage | undefined;
  /** The last frame sent to clients. */
  readonly lastClosed: () => number;
  /** Seated players whose connection is up. */
  readonly connectedPlayers: () => readonly LockstepPlayer[];
  /** Tells every client (`desync`) and runs the room's `onDesync` hook. */
  readonly announce: (notice: DesyncNotice) => void;
  /** Sends `state_dump_request` to one player. */
  readonly requestDump: (player: LockstepPlayer, request: StateDumpRequest) => void;
  /** A report is finished (with its dumps, or without after the wait): store it and run `onDesyncReport`. */
  readonly finished: (report: DesyncReport) => void;
  /** The policy is `end-match` and the report of the desync that ends it is finished. */
  readonly endMatch: (report: DesyncReport) => void;
  /** Every player's hash of `frame` was the same (recorded in the match's replay; snapshots are taken at such frames). */
  readonly agreed?: (frame: number, hash: string, group: DesyncGroup) => void;
  readonly metrics: LockstepMetrics | undefined;
}

/** A match's checks, as `inspect()` shows them. */
export interface DesyncStats {
  readonly interval: number;
  /** Checksums accepted from the players. */
  readonly checksums_received: number;
  /** The highest checked frame on which at least two players agreed and nobody disagreed, or null. */
  readonly last_agreed_frame: number | null;
  /** Desyncs found (reported or, past `maxDesyncReports`, only counted). */
  readonly desyncs: number;
}

/** A refusal of a checksum or dump message: what the sender is told (always a strike). */
export type DesyncRefusal = LockstepErrorMessage;

const CHECKSUM_TYPE = "sync_checksum";
const DUMP_TYPE = "state_dump";
/** Players get 10 s to upload a dump: a 64 KiB dump at the SDK's pace takes well under one. */
const DUMP_WAIT_MS = 10_000;

/**
 * A room's desync detection: takes the players' checksums (see {@link ChecksumBook}), turns a
 * divergence into a notice for every client and the room's hook, asks one player of each
 * group for its state (see {@link DumpCollector}), and finishes the stored report. Reports per
 * match are bounded by `maxDesyncReports`; past it desyncs are only counted.
 */
export class DesyncWatch {
  readonly #settings: LockstepOptions;
  readonly #host: DesyncWatchHost;
  readonly #book: ChecksumBook;
  readonly #dumps: DumpCollector;
  #reports = 0;
  #received = 0;
  #found = 0;
  #overflowLogged = false;
  /** The report whose finishing ends the match (policy `end-match`). */
  #ending: string | undefined;

  constructor(settings: LockstepOptions, host: DesyncWatchHost) {
    this.#settings = settings;
    this.#host = host;
    const waitFrames = Math.ceil((settings.checksumWaitMs / 1000) * settings.frameRate);
    this.#book = new ChecksumBook({ interval: settings.checksumInterval, waitFrames, onDivergence: this.#onDivergence, onAgreed: host.agreed });
    this.#dumps = new DumpCollector(settings.maxDumpBytes, Math.ceil((DUMP_WAIT_MS / 1000) * settings.frameRate));
  }

  /** What an operator sees of the match's checks. */
  stats(): DesyncStats {
    return {
      interval: this.#settings.checksumInterval,
      checksums_received: this.#received,
      last_agreed_frame: this.#book.lastAgreedFrame,
      desyncs: this.#found,
    };
  }

  /** A `sync_checksum` from `player`. Returns the refusal to send, if any. */
  checksum(player: LockstepPlayer, payload: Uint8Array): DesyncRefusal | undefined {
    let checksum: ReturnType<typeof decodeChecksum>;
    try {
      checksum = decodeChecksum(payload);
    } catch (error) {
      return { code: LockstepErrorCode.MESSAGE_MALFORMED, type: CHECKSUM_TYPE, message: `not a valid checksum: ${(error as Error).message}` };
    }
    const verdict = this.#book.record(player.slot, player.uid, checksum, this.#host.lastClosed(), () => this.#connectedSlots());
    if (!verdict.accepted) return { code: verdict.code, type: CHECKSUM_TYPE, message: verdict.message };
    this.#received++;
    if (this.#host.metrics !== undefined) this.#host.metrics.checksumsReceived++;
    return undefined;
  }

  /** A `state_dump` chunk from `player`. Returns the refusal to send, if any. */
  dump(player: LockstepPlayer, payload: Uint8Array): DesyncRefusal | undefined {
    let chunk: StateDumpChunk;
    try {
      chunk = decodeStateDumpChunk(payload);
    } catch (error) {
      return { code: LockstepErrorCode.MESSAGE_MALFORMED, type: DUMP_TYPE, message: `not a valid state dump chunk: ${(error as Error).message}` };
    }
    const verdict = this.#dumps.receive(player.slot, chunk);
    // A refused upload is over too: the report may be complete without it.
    this.#finishDue();
    return verdict.accepted ? undefined : { code: verdict.code, type: DUMP_TYPE, message: verdict.message };
  }

  /** A player dropped or left: nothing waits for it. */
  playerGone(slot: number): void {
    this.#book.playerGone(slot);
    this.#dumps.playerGone(slot);
    this.#finishDue();
  }

  /** A frame closed: checks and dump uploads whose wait is over are decided. Cheap when nothing waits. */
  frameClosed(frame: number): void {
    if (this.#book.size > 0) this.#book.advance(frame);
    if (this.#dumps.busy) this.#finishDue(frame);
  }

  #connectedSlots(): number[] {
    return this.#host.connectedPlayers().map((player) => player.slot);
  }

  #onDivergence = (divergence: Divergence): void => {
    this.#found++;
    const metrics = this.#host.metrics;
    if (metrics !== undefined) metrics.desyncs++;
    if (this.#reports >= this.#settings.maxDesyncReports) {
      if (!this.#overflowLogged) {
        this.#overflowLogged = true;
        logger.warn(`lockstep: room ${this.#host.roomId()} reached maxDesyncReports (${this.#settings.maxDesyncReports}); further desyncs are only counted`);
      }
      return;
    }
    this.#reports++;
    const notice = this.#notice(divergence);
    this.#host.announce(notice);
    if (this.#settings.desyncPolicy === "end-match") this.#ending ??= notice.id;
    const targets = this.#settings.maxDumpBytes > 0 && !this.#dumps.busy ? this.#dumpTargets(notice) : [];
    if (targets.length === 0) {
      this.#finish(finishReport(notice, [], 0));
      return;
    }
    this.#dumps.start(notice, targets, this.#host.lastClosed());
    const request: StateDumpRequest = {
      report_id: notice.id,
      frame: notice.frame,
      max_bytes: this.#settings.maxDumpBytes,
      chunk_bytes: STATE_DUMP_CHUNK_BYTES,
    };
    const connected = new Map(this.#host.connectedPlayers().map((player) => [player.slot, player]));
    for (const target of targets) this.#host.requestDump(connected.get(target.slot)!, request);
  };

  /** One connected player per group, the lowest slot of each. */
  #dumpTargets(notice: DesyncNotice): DumpTarget[] {
    const connected = new Set(this.#connectedSlots());
    const targets: DumpTarget[] = [];
    notice.groups.forEach((group, index) => {
      const at = group.slots.findIndex((slot) => connected.has(slot));
      if (at !== -1) targets.push({ slot: group.slots[at]!, uid: group.uids[at]!, group: index });
    });
    return targets;
  }

  #notice(divergence: Divergence): DesyncNotice {
    const match = this.#host.match();
    const settings = this.#settings;
    const startFrame = match?.start_frame ?? settings.startFrame;
    return {
      id: randomUUID(),
      room_id: this.#host.roomId(),
      room_name: this.#host.roomName(),
      ...divergence,
      seed: match?.seed ?? 0,
      settings: {
        frame_rate: match?.frame_rate ?? settings.frameRate,
        start_frame: startFrame,
        checksum_interval: settings.checksumInterval,
        max_players: settings.maxPlayers,
      },
      reproduce: { from_frame: startFrame, to_frame: divergence.frame },
      created_at: new Date().toISOString(),
    };
  }

  #finishDue(lastClosed: number = this.#host.lastClosed()): void {
    const report = this.#dumps.advance(lastClosed);
    if (report !== undefined) this.#finish(report);
  }

  #finish(report: DesyncReport): void {
    this.#host.finished(report);
    if (this.#ending === report.id) this.#host.endMatch(report);
  }
}
