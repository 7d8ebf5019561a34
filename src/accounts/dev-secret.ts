import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createExclusive } from "./exclusive-file.ts";

/** Bytes of randomness in a generated secret: 256 bits, the key size HS256 is built for. */
const GENERATED_SECRET_BYTES = 32;
/** The file, in the data directory, that keeps the development secret across restarts. */
export const DEV_SECRET_FILE = "jwt-secret";
/** Shortest secret accepted from the file (HS256 wants 256 bits: 32 characters of a random string). */
const MIN_SECRET_LENGTH = 32;

/** A development secret and where it is kept. */
export interface DevelopmentSecret {
  readonly secret: string;
  /** The file holding it. */
  readonly file: string;
  /** True if this call generated it. */
  readonly created: boolean;
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${file} holds no usable JWT secret (fewer than ${MIN_SECRET_LENGTH} characters): delete it to generate a new one, or set JWT_SECRET`);
  }
  return secret;
}

/**
 * The JWT secret of a development server started without `JWT_SECRET`: random, generated at the
 * first start and kept in `dataDir` (file mode 0600, directory 0700 when created here), so
 * tokens survive restarts and processes sharing the directory share the secret. The file
 * appears complete or not at all (see `createExclusive`), so processes starting together
 * agree: the first one's secret wins and the others read it.
 */
export function developmentSecret(dataDir: string): DevelopmentSecret {
  const file = join(dataDir, DEV_SECRET_FILE);
  const existing = readSecret(file);
  if (existing !== undefined) return { secret: existing, file, created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(GENERATED_SECRET_BYTES).toString("hex");
  if (createExclusive(file, `${secret}\n`, 0o600)) return { secret, file, created: true };
  return { secret: readSecret(file)!, file, created: false };
}
