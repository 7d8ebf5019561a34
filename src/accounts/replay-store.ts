import { createHash } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { ReplayQuery, ReplayStore, ReplaySummary, StoredReplay } from "../lockstep/replay-store.ts";
import { concatBytes } from "../protocol/bytes.ts";
import { migrate } from "./migrations.ts";
import { fromJsonb, isoTime } from "./sql-values.ts";
import type { SqlClient } from "./sql-client.ts";
import type { SqlUserStore } from "./user-store.ts";

/** Most summaries one listing returns, as {@link ReplayQuery.limit} promises. */
const MAX_LIST_LIMIT = 100;
/**
 * Bytes per stored chunk of a document. The embedded database runs on the event loop that
 * closes frames: one 64 KiB chunk costs it about 2 ms to write (as base64 text, which it
 * decodes far faster than a binary parameter), where a whole one-hour replay would cost 150 ms.
 */
export const REPLAY_CHUNK_BYTES = 64 * 1024;
/** Chunks read per query: about 256 KiB, a few milliseconds of the embedded database. */
const CHUNKS_PER_READ = 4;
/** Chunks without their replay row (a write that failed half-way) are deleted with the retention sweep once this old. */
const ORPHAN_CHUNK_AGE_MS = 24 * 60 * 60 * 1000;

interface SummaryRow {
  id: string;
  room_id: string;
  room_name: string;
  started_at: Date | string;
  ended_at: Date | string;
  end_reason: string;
  start_frame: number | string;
  last_frame: number | string;
  frame_rate: number;
  public: boolean;
  players: unknown;
  size_bytes: number;
}

interface ReplayRow extends SummaryRow {
  document_sha: string;
  chunk_count: number;
}

const SUMMARY_COLUMNS = "id, room_id, room_name, started_at, ended_at, end_reason, start_frame, last_frame, frame_rate, public, players, size_bytes";

/** The condition "the uid in parameter `param` played in it", through the players table's index. */
function playedBy(param: number): string {
  return `id IN (SELECT replay_id FROM lockstep_replay_players WHERE uid = $${param})`;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function toSummary(row: SummaryRow): ReplaySummary {
  const players = (fromJsonb(row.players) as { uid: string; name: string }[] | null) ?? [];
  return {
    id: row.id,
    room_id: row.room_id,
    room_name: row.room_name,
    started_at: new Date(row.started_at).toISOString(),
    ended_at: new Date(row.ended_at).toISOString(),
    end_reason: row.end_reason as ReplaySummary["end_reason"],
    // bigint: node-postgres returns it as a string.
    start_frame: Number(row.start_frame),
    last_frame: Number(row.last_frame),
    frame_rate: Number(row.frame_rate),
    players: players.map(({ uid, name }) => ({ uid, name })),
    public: row.public,
    size_bytes: Number(row.size_bytes),
  };
}

/**
 * The {@link ReplayStore} over any {@link SqlClient}: the embedded database or PostgreSQL, with
 * the same SQL. It runs on a connection it does not own: whoever opened the client closes it
 * (with the accounts database, the user store). `test/contract/replay-store.contract.ts` runs the
 * same suite over both databases.
 *
 * Each player's uid is also kept as a row of `lockstep_replay_players`, so listing the matches
 * one player played in is an index lookup. Times are kept to the millisecond.
 */
export class SqlReplayStore implements ReplayStore {
  readonly #sql: SqlClient;

  private constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Opens a store on `sql` (typically the user store's, see {@link openReplayStore}), applying pending migrations first. */
  static async open(sql: SqlClient): Promise<SqlReplayStore> {
    await migrate(sql);
    return new SqlReplayStore(sql);
  }

  /**
   * Stores a replay with its players. The document goes first, chunk by chunk (see
   * {@link REPLAY_CHUNK_BYTES}), then the replay row and its players in one transaction: a
   * replay is listed only once its whole document is stored. Saving an id that is already
   * stored changes nothing, so a retried save neither fails nor duplicates the replay (two
   * writers of one replay at once are safe too: chunks are keyed by the document's hash).
   * Throws RangeError, storing nothing, if a time is not a time or `size_bytes` is not the
   * document's size.
   */
  async save(replay: StoredReplay): Promise<void> {
    const { summary, document } = replay;
    const startedAt = isoTime(summary.started_at, "started_at");
    const endedAt = isoTime(summary.ended_at, "ended_at");
    if (summary.size_bytes !== document.byteLength) {
      throw new RangeError(`replay ${summary.id} says it has ${summary.size_bytes} bytes, but its document has ${document.byteLength}`);
    }
    const existing = await this.#sql.query("SELECT 1 FROM lockstep_replays WHERE id = $1", [summary.id]);
    if (existing.rows.length > 0) return;
    const sha = sha256(document);
    const chunkCount = Math.ceil(document.byteLength / REPLAY_CHUNK_BYTES);
    for (let seq = 0; seq < chunkCount; seq++) {
      const chunk = Buffer.from(
        document.buffer,
        document.byteOffset + seq * REPLAY_CHUNK_BYTES,
        Math.min(REPLAY_CHUNK_BYTES, document.byteLength - seq * REPLAY_CHUNK_BYTES),
      );
      await this.#sql.query(
        `INSERT INTO lockstep_replay_chunks (replay_id, document_sha, seq, bytes) VALUES ($1, $2, $3, decode($4, 'base64'))
         ON CONFLICT (replay_id, document_sha, seq) DO NOTHING`,
        [summary.id, sha, seq, chunk.toString("base64")],
      );
      await nextTurn();
    }
    const players = JSON.stringify(summary.players.map(({ uid, name }) => ({ uid, name })));
    await this.#sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO lockstep_replays
           (id, room_id, room_name, started_at, ended_at, end_reason, start_frame, last_frame, frame_rate, public, players, size_bytes, document_sha, chunk_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ($11::text)::jsonb, $12, $13, $14)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          summary.id,
          summary.room_id,
          summary.room_name,
          startedAt,
          endedAt,
          summary.end_reason,
          summary.start_frame,
          summary.last_frame,
          summary.frame_rate,
          summary.public,
          players,
          document.byteLength,
          sha,
          chunkCount,
        ],
      );
      if (rows.length === 0) return;
      // DISTINCT: a player who left and took a seat again is listed twice, but played in the match once.
      await tx.query(
        `INSERT INTO lockstep_replay_players (replay_id, uid)
         SELECT DISTINCT id, player->>'uid' FROM lockstep_replays, jsonb_array_elements(players) AS player WHERE id = $1`,
        [summary.id],
      );
    });
  }

  /**
   * Summaries newest `ended_at` first (then by id, descending), filtered as {@link ReplayQuery}
   * says. `limit` is clamped to 1..100; RangeError if `before` or `since` is not a time.
   */
  async list(query: ReplayQuery): Promise<ReplaySummary[]> {
    // `|| 1`: NaN counts as the smallest page.
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(query.limit) || 1));
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.before !== undefined) {
      params.push(isoTime(query.before, "before"));
      if (query.beforeId === undefined) conditions.push(`ended_at < $${params.length}`);
      else {
        // Strictly after (before, beforeId) in the listing's order: a row comparison, which the (ended_at, id) index serves.
        params.push(query.beforeId);
        conditions.push(`(ended_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::text)`);
      }
    }
    if (query.since !== undefined) {
      params.push(isoTime(query.since, "since"));
      conditions.push(`ended_at >= $${params.length}`);
    }
    if (query.roomName !== undefined) {
      params.push(query.roomName);
      conditions.push(`room_name = $${params.length}`);
    }
    if (query.player !== undefined) {
      params.push(query.player);
      conditions.push(playedBy(params.length));
    }
    if (query.visibleTo !== undefined) {
      params.push(query.visibleTo);
      conditions.push(query.includePublic === true ? `(public OR ${playedBy(params.length)})` : playedBy(params.length));
    }
    params.push(limit);
    const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
    const { rows } = await this.#sql.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM lockstep_replays ${where} ORDER BY ended_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSummary);
  }

  /** The summary alone (one row, no chunk read), or undefined if no replay has this id. */
  async summary(id: string): Promise<ReplaySummary | undefined> {
    const { rows } = await this.#sql.query<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM lockstep_replays WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toSummary(rows[0]);
  }

  /**
   * The summary and the whole document, or undefined if no replay has this id. The document is
   * read a few chunks per query and checked against its size and hash: an error, never wrong
   * bytes, if its chunks were tampered with or lost.
   */
  async get(id: string): Promise<StoredReplay | undefined> {
    const { rows } = await this.#sql.query<ReplayRow>(`SELECT ${SUMMARY_COLUMNS}, document_sha, chunk_count FROM lockstep_replays WHERE id = $1`, [id]);
    const row = rows[0];
    if (row === undefined) return undefined;
    const chunks: Buffer[] = [];
    for (let first = 0; first < row.chunk_count; first += CHUNKS_PER_READ) {
      const batch = await this.#sql.query<{ bytes: string }>(
        `SELECT encode(bytes, 'base64') AS bytes FROM lockstep_replay_chunks
         WHERE replay_id = $1 AND document_sha = $2 AND seq >= $3 AND seq < $4 ORDER BY seq`,
        [id, row.document_sha, first, first + CHUNKS_PER_READ],
      );
      for (const chunk of batch.rows) chunks.push(Buffer.from(chunk.bytes, "base64"));
      await nextTurn();
    }
    const summary = toSummary(row);
    // Copied even from one chunk: a plain Uint8Array in a buffer of its own, whatever the driver returned.
    const document = concatBytes(chunks, true);
    if (chunks.length !== row.chunk_count || document.byteLength !== summary.size_bytes || sha256(document) !== row.document_sha) {
      throw new Error(`replay ${id} is damaged in the database: its chunks do not make the document it names`);
    }
    return { summary, document };
  }

  /** Deletes one replay, its player rows and its document; false if there was none. */
  async delete(id: string): Promise<boolean> {
    return this.#sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>("DELETE FROM lockstep_replays WHERE id = $1 RETURNING id", [id]);
      await tx.query("DELETE FROM lockstep_replay_chunks WHERE replay_id = $1", [id]);
      return rows.length > 0;
    });
  }

  /**
   * Deletes the replays of matches that ended strictly before `time` (with their documents);
   * returns how many. Also deletes chunks a failed write left without their replay row, once a
   * day old. RangeError if `time` is invalid.
   */
  async deleteEndedBefore(time: Date): Promise<number> {
    if (Number.isNaN(time.getTime())) throw new RangeError("deleteEndedBefore needs a valid time");
    const deleted = await this.#sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ count: number | string }>(
        `WITH deleted AS (DELETE FROM lockstep_replays WHERE ended_at < $1 RETURNING id),
              chunks AS (DELETE FROM lockstep_replay_chunks WHERE replay_id IN (SELECT id FROM deleted))
         SELECT count(*) AS count FROM deleted`,
        [time.toISOString()],
      );
      return Number(rows[0]?.count ?? 0);
    });
    await this.#sql.query(
      `DELETE FROM lockstep_replay_chunks AS chunk WHERE created_at < $1
         AND NOT EXISTS (SELECT 1 FROM lockstep_replays AS replay WHERE replay.id = chunk.replay_id AND replay.document_sha = chunk.document_sha)`,
      [new Date(Date.now() - ORPHAN_CHUNK_AGE_MS).toISOString()],
    );
    return deleted;
  }
}

/** Opens the replay store in the accounts database, on the user store's connection (closed with the user store). */
export function openReplayStore(userStore: SqlUserStore): Promise<SqlReplayStore> {
  return SqlReplayStore.open(userStore.sql);
}
