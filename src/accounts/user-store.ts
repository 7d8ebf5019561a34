import { randomUUID } from "node:crypto";
import { migrate } from "./migrations.ts";
import { Role } from "./roles.ts";
import type { SqlClient } from "./sql-client.ts";

/** A stored user. `passwordHash` never leaves the server. */
export interface UserRecord {
  readonly id: string;
  readonly email: string | null;
  readonly passwordHash: string | null;
  readonly name: string;
  readonly role: Role;
  readonly anonymous: boolean;
  /** Bumped to revoke every token issued before (logout, role change, ban). */
  readonly tokenVersion: number;
  readonly createdAt: Date;
}

/** A user to create. */
export interface NewUser {
  readonly email?: string;
  readonly passwordHash?: string;
  readonly name: string;
  readonly role?: Role;
  readonly anonymous?: boolean;
}

/** Thrown by {@link UserStore.create} when the email is taken. */
export class EmailTakenError extends Error {
  constructor(email: string) {
    super(`email already registered: ${email}`);
    this.name = "EmailTakenError";
  }
}

/**
 * Where accounts live. One contract, two backends (embedded PGlite and PostgreSQL) over the
 * same SQL; `test/contract/user-store.contract.ts` runs the same suite over both.
 */
export interface UserStore {
  /** Creates a user; emails are compared case-insensitively. Throws {@link EmailTakenError}. */
  create(user: NewUser): Promise<UserRecord>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  /** Changes a role and revokes the user's existing tokens (their claims are stale). */
  setRole(id: string, role: Role): Promise<UserRecord | undefined>;
  /** Revokes every token issued to the user so far; returns the new version. */
  revokeTokens(id: string): Promise<number | undefined>;
  count(): Promise<number>;
  close(): Promise<void>;
}

interface UserRow {
  id: string;
  email: string | null;
  password_hash: string | null;
  name: string;
  role: Role;
  anonymous: boolean;
  token_version: number;
  created_at: Date | string;
}

const COLUMNS = "id, email, password_hash, name, role, anonymous, token_version, created_at";
const UNIQUE_VIOLATION = "23505";

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    name: row.name,
    role: row.role,
    anonymous: row.anonymous,
    tokenVersion: Number(row.token_version),
    createdAt: new Date(row.created_at),
  };
}

/** The {@link UserStore} over any {@link SqlClient}: the embedded database or PostgreSQL. */
export class SqlUserStore implements UserStore {
  readonly #sql: SqlClient;

  private constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Opens a store, applying pending migrations first. */
  static async open(sql: SqlClient): Promise<SqlUserStore> {
    await migrate(sql);
    return new SqlUserStore(sql);
  }

  /** The connection the store runs on, to share it with other stores of the same database. */
  get sql(): SqlClient {
    return this.#sql;
  }

  async create(user: NewUser): Promise<UserRecord> {
    const email = user.email?.trim().toLowerCase() ?? null;
    try {
      const { rows } = await this.#sql.query<UserRow>(
        `INSERT INTO lockstep_users (id, email, password_hash, name, role, anonymous)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [randomUUID(), email, user.passwordHash ?? null, user.name, user.role ?? Role.PLAYER, user.anonymous ?? false],
      );
      return toRecord(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && email !== null) throw new EmailTakenError(email);
      throw error;
    }
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const { rows } = await this.#sql.query<UserRow>(`SELECT ${COLUMNS} FROM lockstep_users WHERE email = $1`, [email.trim().toLowerCase()]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const { rows } = await this.#sql.query<UserRow>(`SELECT ${COLUMNS} FROM lockstep_users WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async setRole(id: string, role: Role): Promise<UserRecord | undefined> {
    const { rows } = await this.#sql.query<UserRow>(
      `UPDATE lockstep_users SET role = $2, token_version = token_version + 1 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, role],
    );
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async revokeTokens(id: string): Promise<number | undefined> {
    const { rows } = await this.#sql.query<{ token_version: number }>(
      "UPDATE lockstep_users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version",
      [id],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].token_version);
  }

  async count(): Promise<number> {
    const { rows } = await this.#sql.query<{ count: string | number }>("SELECT count(*) AS count FROM lockstep_users");
    return Number(rows[0]!.count);
  }

  close(): Promise<void> {
    return this.#sql.close();
  }
}
