import type { SqlClient } from "./sql-client.ts";

/**
 * The schema, as an ordered list of migrations shared by the embedded database and PostgreSQL.
 * Never edit an applied migration: append a new one. A migration is one statement, or a list
 * run in order: the embedded database takes one statement per query.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string | readonly string[] }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE lockstep_users (
        id            text PRIMARY KEY,
        email         text UNIQUE,
        password_hash text,
        name          text NOT NULL,
        role          text NOT NULL DEFAULT 'player' CHECK (role IN ('player', 'admin')),
        anonymous     boolean NOT NULL DEFAULT false,
        token_version integer NOT NULL DEFAULT 0,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CHECK (anonymous OR (email IS NOT NULL AND password_hash IS NOT NULL))
      );
    `,
  },
  {
    version: 2,
    // The summary columns are what a listing shows and filters on; `report` is the whole
    // report, read back only when one is opened. Listings page newest first, in all rooms or one.
    sql: [
      `CREATE TABLE lockstep_desync_reports (
        id         text PRIMARY KEY,
        room_id    text NOT NULL,
        room_name  text NOT NULL,
        frame      bigint NOT NULL,
        outliers   jsonb,
        parts      jsonb,
        created_at timestamptz NOT NULL,
        report     jsonb NOT NULL
      )`,
      "CREATE INDEX lockstep_desync_reports_created ON lockstep_desync_reports (created_at DESC, id DESC)",
      "CREATE INDEX lockstep_desync_reports_room ON lockstep_desync_reports (room_id, created_at DESC, id DESC)",
    ],
  },
  {
    version: 3,
    // Finished matches' replays. The summary columns are what a listing shows and filters on.
    // The document is kept in chunks (`lockstep_replay_chunks`), each written and read by its own
    // statement, so the embedded database, which runs on the server's event loop, never holds
    // it for long; chunks are keyed by the document's SHA-256, so two writers of one replay can
    // never mix their chunks, and the replay row, written last, names the complete set.
    // `lockstep_replay_players` repeats the players' uids as rows, so "the matches this uid
    // played" is an index lookup rather than a scan of every `players` list.
    sql: [
      `CREATE TABLE lockstep_replays (
        id           text PRIMARY KEY,
        room_id      text NOT NULL,
        room_name    text NOT NULL,
        started_at   timestamptz NOT NULL,
        ended_at     timestamptz NOT NULL,
        end_reason   text NOT NULL,
        start_frame  bigint NOT NULL,
        last_frame   bigint NOT NULL,
        frame_rate   integer NOT NULL,
        public       boolean NOT NULL DEFAULT false,
        players      jsonb NOT NULL,
        size_bytes   integer NOT NULL,
        document_sha text NOT NULL,
        chunk_count  integer NOT NULL
      )`,
      "CREATE INDEX lockstep_replays_ended ON lockstep_replays (ended_at DESC, id DESC)",
      "CREATE INDEX lockstep_replays_room ON lockstep_replays (room_name, ended_at DESC, id DESC)",
      `CREATE TABLE lockstep_replay_players (
        replay_id text NOT NULL REFERENCES lockstep_replays (id) ON DELETE CASCADE,
        uid       text NOT NULL,
        PRIMARY KEY (replay_id, uid)
      )`,
      // With replay_id in it, a player's replay ids are read from the index alone.
      "CREATE INDEX lockstep_replay_players_uid ON lockstep_replay_players (uid, replay_id)",
      `CREATE TABLE lockstep_replay_chunks (
        replay_id    text NOT NULL,
        document_sha text NOT NULL,
        seq          integer NOT NULL,
        bytes        bytea NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (replay_id, document_sha, seq)
      )`,
    ],
  },
];

/** Arbitrary constant naming this project's migration lock among other advisory locks. */
const MIGRATION_LOCK_KEY = 0x10c5_7e9;

/**
 * Applies pending migrations in one transaction. An advisory lock serializes processes that
 * start together against the same database, so each migration runs once.
 */
export async function migrate(client: SqlClient): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS lockstep_migrations (
      version    integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number }>("SELECT version FROM lockstep_migrations");
    const applied = new Set(rows.map((row) => Number(row.version)));
    const ran: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of typeof migration.sql === "string" ? [migration.sql] : migration.sql) await tx.query(statement);
      await tx.query("INSERT INTO lockstep_migrations (version) VALUES ($1)", [migration.version]);
      ran.push(migration.version);
    }
    return ran;
  });
}
