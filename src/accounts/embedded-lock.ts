import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createExclusive } from "./exclusive-file.ts";

/** The lock file, in the data directory, naming the process that has the embedded database open. */
export const EMBEDDED_LOCK_FILE = "lockstep.lock";
/**
 * Tries at taking the lock. Each failed try means another process took or released the lock in
 * between; three such races in a row only happen when several processes start at once.
 */
const MAX_ATTEMPTS = 3;

/**
 * Another live process has the embedded database open. The embedded database (PGlite) keeps
 * its state in memory and writes it back to the directory: two processes on one directory read
 * stale data and overwrite each other's writes, so a second one must not open it.
 */
export class EmbeddedDatabaseBusyError extends Error {
  /** The process holding the database. */
  readonly pid: number;
  readonly dataDir: string;

  constructor(dataDir: string, pid: number, lockFile: string) {
    super(
      `the embedded database in ${dataDir} is in use by process ${pid}${pid === process.pid ? " (this process)" : " (a running server?)"}. ` +
        "Only one process may open it: stop that process first, or set DATABASE_URL so that several processes share a PostgreSQL database. " +
        `If process ${pid} is not using it, delete ${lockFile}.`,
    );
    this.name = "EmbeddedDatabaseBusyError";
    this.pid = pid;
    this.dataDir = dataDir;
  }
}

/** The pid written in a lock file; undefined if the file is gone, NaN if it holds no pid. */
function readHolder(file: string): number | undefined {
  try {
    return Number(readFileSync(file, "utf8").trim() || "NaN");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** True if a process with this pid exists (it may belong to another user: EPERM). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a lock left by a process that died (`stale` is the pid it named). The file is first
 * renamed aside, which only one of several racing processes can do to a given file; if what was
 * moved turns out to be a fresh lock that another process took meanwhile, it is linked back.
 */
function removeStale(file: string, stale: number): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    const moved = readHolder(aside);
    if (moved !== undefined && !Object.is(moved, stale)) linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Exclusive use of an embedded database directory by one process, through a lock file holding
 * the owner's pid. A lock whose process is gone (killed, crashed) is taken over; a live one
 * makes {@link EmbeddedDatabaseLock.acquire} throw {@link EmbeddedDatabaseBusyError}.
 */
export class EmbeddedDatabaseLock {
  readonly #file: string;
  #held = true;

  private constructor(file: string) {
    this.#file = file;
  }

  /** Takes the lock of `dataDir` (created if missing) for this process, or throws. */
  static acquire(dataDir: string): EmbeddedDatabaseLock {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, EMBEDDED_LOCK_FILE);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (createExclusive(file, `${process.pid}\n`, 0o644)) return new EmbeddedDatabaseLock(file);
      const holder = readHolder(file);
      if (holder === undefined) continue;
      if (isAlive(holder)) throw new EmbeddedDatabaseBusyError(dataDir, holder, file);
      removeStale(file, holder);
    }
    throw new Error(`could not lock the embedded database in ${dataDir}: other processes keep taking ${file}; start one at a time`);
  }

  /** Gives the lock up (once; later calls do nothing). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (readHolder(this.#file) === process.pid) rmSync(this.#file, { force: true });
  }
}
