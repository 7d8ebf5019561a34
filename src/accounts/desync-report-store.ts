import type { DesyncReport, DesyncReportQuery, DesyncReportStore, DesyncReportSummary } from "../lockstep/desync-report.ts";
import { migrate } from "./migrations.ts";
import { fromJsonb, isoTime } from "./sql-values.ts";
import type { SqlClient } from "./sql-client.ts";
import type { SqlUserStore } from "./user-store.ts";

/**
 * Largest report the store keeps, counted as UTF-8 JSON: 1 MiB. A report holds one state dump
 * per group of players and a bounded diff; a game state of some kilobytes to a few hundred
 * fits many times over. A larger one is a runaway dump: refusing it keeps a single save from
 * filling the database or the operator's download, and each row far below PostgreSQL's limits.
 */
export const MAX_STORED_REPORT_BYTES = 1024 * 1024;

/** Most summaries one listing returns, as {@link DesyncReportStore.list} promises. */
const MAX_LIST_LIMIT = 100;

/** Stands in for text PostgreSQL cannot hold in `jsonb`, as a UTF-8 encoder does for broken text. */
const REPLACEMENT_CHARACTER = "\uFFFD";
/** A UTF-16 surrogate without its other half (code units, hence no `u` flag). */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

interface SummaryRow {
  id: string;
  room_id: string;
  room_name: string;
  frame: number | string;
  outliers: unknown;
  parts: unknown;
  created_at: Date | string;
}

const SUMMARY_COLUMNS = "id, room_id, room_name, frame, outliers, parts, created_at";

/**
 * Text as `jsonb` accepts it. PostgreSQL refuses the NUL character and unpaired surrogates in
 * JSON; both may come from a player's state dump, and one bad string must not cost the whole
 * report, so each becomes U+FFFD.
 */
function storableText(text: string): string {
  return text.replaceAll("\u0000", REPLACEMENT_CHARACTER).replace(UNPAIRED_SURROGATE, REPLACEMENT_CHARACTER);
}

/** `JSON.stringify` replacer applying {@link storableText} to every string, keys included. */
function storable(_key: string, value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.every((key) => storableText(key) === key)) return value;
  return Object.fromEntries(keys.map((key) => [storableText(key), (value as Record<string, unknown>)[key]]));
}

function storableJson(value: unknown): string {
  return JSON.stringify(value, storable);
}

function toSummary(row: SummaryRow): DesyncReportSummary {
  return {
    id: row.id,
    room_id: row.room_id,
    room_name: row.room_name,
    // bigint: node-postgres returns it as a string.
    frame: Number(row.frame),
    outliers: (fromJsonb(row.outliers) as string[] | null) ?? [],
    parts: (fromJsonb(row.parts) as string[] | null) ?? [],
    created_at: new Date(row.created_at).toISOString(),
  };
}

/**
 * The {@link DesyncReportStore} over any {@link SqlClient}: the embedded database or PostgreSQL,
 * with the same SQL. It runs on a connection it does not own: whoever opened the client closes
 * it (with the accounts database, the user store). `test/contract/desync-report-store.contract.ts`
 * runs the same suite over both databases.
 *
 * Reports are stored as JSON: what JSON cannot say comes back as JSON says it (an `undefined`
 * in an array as `null`, an `undefined` property absent), and text PostgreSQL refuses (the NUL
 * character, unpaired surrogates) as U+FFFD. Times are kept to the millisecond.
 */
export class SqlDesyncReportStore implements DesyncReportStore {
  readonly #sql: SqlClient;

  private constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Opens a store on `sql` (typically the user store's, see {@link openDesyncReportStore}), applying pending migrations first. */
  static async open(sql: SqlClient): Promise<SqlDesyncReportStore> {
    await migrate(sql);
    return new SqlDesyncReportStore(sql);
  }

  /**
   * Stores a report; saving the same id again replaces it, so a retried save succeeds. Throws
   * RangeError, storing nothing, if its JSON is larger than {@link MAX_STORED_REPORT_BYTES} or
   * its `created_at` is not a time.
   */
  async save(report: DesyncReport): Promise<void> {
    const json = storableJson(report);
    const bytes = Buffer.byteLength(json, "utf8");
    if (bytes > MAX_STORED_REPORT_BYTES) {
      throw new RangeError(`desync report ${report.id} is ${bytes} bytes of JSON, over the ${MAX_STORED_REPORT_BYTES}-byte limit`);
    }
    const createdAt = isoTime(report.created_at, "created_at");
    // Parameters are JSON text cast to jsonb: node-postgres would turn a JavaScript array into a PostgreSQL array.
    await this.#sql.query(
      `INSERT INTO lockstep_desync_reports (id, room_id, room_name, frame, outliers, parts, created_at, report)
       VALUES ($1, $2, $3, $4, ($5::text)::jsonb, ($6::text)::jsonb, $7, ($8::text)::jsonb)
       ON CONFLICT (id) DO UPDATE SET room_id = EXCLUDED.room_id, room_name = EXCLUDED.room_name, frame = EXCLUDED.frame,
         outliers = EXCLUDED.outliers, parts = EXCLUDED.parts, created_at = EXCLUDED.created_at, report = EXCLUDED.report`,
      [report.id, report.room_id, report.room_name, report.frame, storableJson(report.outliers), storableJson(report.parts), createdAt, json],
    );
  }

  /**
   * Summaries newest first (then by id, descending). `limit` is clamped to 1..100; `before`, an
   * ISO time, keeps reports strictly older (RangeError if it is not a time), or with `beforeId`
   * also those of that very time with a smaller id (the next page); `roomId` keeps one room's.
   */
  async list(query: DesyncReportQuery): Promise<DesyncReportSummary[]> {
    // `|| 1`: NaN counts as the smallest page.
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(query.limit) || 1));
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.before !== undefined) {
      params.push(isoTime(query.before, "before"));
      if (query.beforeId === undefined) conditions.push(`created_at < $${params.length}`);
      else {
        // Strictly after (before, beforeId) in the listing's order: a row comparison, which the (created_at, id) index serves.
        params.push(query.beforeId);
        conditions.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::text)`);
      }
    }
    if (query.roomId !== undefined) {
      params.push(query.roomId);
      conditions.push(`room_id = $${params.length}`);
    }
    params.push(limit);
    const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
    const { rows } = await this.#sql.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM lockstep_desync_reports ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSummary);
  }

  /** The whole report, or undefined if no report has this id. */
  async get(id: string): Promise<DesyncReport | undefined> {
    const { rows } = await this.#sql.query<{ report: unknown }>("SELECT report FROM lockstep_desync_reports WHERE id = $1", [id]);
    return rows[0] === undefined ? undefined : (fromJsonb(rows[0].report) as DesyncReport);
  }
}

/** Opens the desync report store in the accounts database, on the user store's connection (closed with the user store). */
export function openDesyncReportStore(userStore: SqlUserStore): Promise<SqlDesyncReportStore> {
  return SqlDesyncReportStore.open(userStore.sql);
}
