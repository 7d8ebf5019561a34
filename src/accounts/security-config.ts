import { readFileSync } from "node:fs";
import { developmentSecret } from "./dev-secret.ts";
import { DEFAULT_DATABASE_CONNECT_TIMEOUT_MS, DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS } from "./sql-client.ts";

/**
 * The fixed development secret of earlier versions. It is public (it is right here), so
 * production refuses it, and development no longer uses it: without `JWT_SECRET`, a random
 * secret is generated and kept in the data directory (see `developmentSecret`).
 */
export const DEV_JWT_SECRET = "colyseus-lockstep-development-secret-do-not-use-in-production";
/** HS256 wants at least 256 bits of key: 32 characters of a random string. */
export const MIN_JWT_SECRET_LENGTH = 32;
/** Tokens live an hour: long enough for a session, short enough that a leaked one expires; refresh extends it. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** Login and register attempts per IP per minute: plenty for people, too few for password guessing. */
export const DEFAULT_AUTH_REQUESTS_PER_MINUTE = 30;
/** Auth bodies are an email, a password and a name: 16 KiB is generous. */
export const DEFAULT_MAX_AUTH_BODY_BYTES = 16 * 1024;
/** Where the embedded database keeps its files by default. */
export const DEFAULT_DATA_DIR = ".data/db";

/** Security settings of a server, from the environment (see README "Accounts and security"). */
export interface SecurityConfig {
  readonly production: boolean;
  readonly jwtSecret: string;
  /** The file the secret was read from or generated into (development without `JWT_SECRET`); undefined when configured. */
  readonly jwtSecretFile: string | undefined;
  readonly tokenTtlSeconds: number;
  /** Users registering with one of these emails become admins. */
  readonly adminEmails: readonly string[];
  /** PostgreSQL connection string; without it the embedded database is used. */
  readonly databaseUrl: string | undefined;
  /** Longest wait for a PostgreSQL connection (`DATABASE_CONNECT_TIMEOUT_MS`). */
  readonly databaseConnectTimeoutMs: number;
  /** Longest a PostgreSQL statement may run (`DATABASE_STATEMENT_TIMEOUT_MS`). */
  readonly databaseStatementTimeoutMs: number;
  /** Directory of the embedded database. */
  readonly dataDir: string;
  /** PEM certificate and key: the server speaks HTTPS and WSS. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly authRequestsPerMinute: number;
  readonly maxAuthBodyBytes: number;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/**
 * Reads and checks the security settings. Throws, with the reason, rather than start
 * insecurely: in production (`NODE_ENV=production`) a missing, default or short `JWT_SECRET`
 * is refused; a certificate without its key (or the reverse) is refused everywhere. In
 * development without `JWT_SECRET`, the secret is random and kept in `DATA_DIR` (generated on
 * first use: this writes `DATA_DIR/jwt-secret`).
 */
export function loadSecurityConfig(env: NodeJS.ProcessEnv = process.env): SecurityConfig {
  const production = env.NODE_ENV === "production";
  const secret = env.JWT_SECRET || undefined;
  if (production && (secret === undefined || secret === DEV_JWT_SECRET || secret.length < MIN_JWT_SECRET_LENGTH)) {
    throw new Error(`refusing to start in production without a real JWT_SECRET: set it to a random string of at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  const certFile = env.TLS_CERT_FILE;
  const keyFile = env.TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error("set both TLS_CERT_FILE and TLS_KEY_FILE, or neither");
  const settings = {
    production,
    tokenTtlSeconds: positiveInteger(env, "TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECONDS),
    adminEmails: (env.ADMIN_EMAILS ?? "")
      .split(",")
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseConnectTimeoutMs: positiveInteger(env, "DATABASE_CONNECT_TIMEOUT_MS", DEFAULT_DATABASE_CONNECT_TIMEOUT_MS),
    databaseStatementTimeoutMs: positiveInteger(env, "DATABASE_STATEMENT_TIMEOUT_MS", DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS),
    dataDir: env.DATA_DIR || DEFAULT_DATA_DIR,
    tls: certFile !== undefined && keyFile !== undefined ? { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") } : undefined,
    authRequestsPerMinute: positiveInteger(env, "AUTH_REQUESTS_PER_MINUTE", DEFAULT_AUTH_REQUESTS_PER_MINUTE),
    maxAuthBodyBytes: positiveInteger(env, "MAX_AUTH_BODY_BYTES", DEFAULT_MAX_AUTH_BODY_BYTES),
  };
  if (secret !== undefined) return { ...settings, jwtSecret: secret, jwtSecretFile: undefined };
  // Last, once everything else is valid: this may write the secret file.
  const generated = developmentSecret(settings.dataDir);
  return { ...settings, jwtSecret: generated.secret, jwtSecretFile: generated.file };
}
