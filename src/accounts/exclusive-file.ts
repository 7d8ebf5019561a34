import { randomBytes } from "node:crypto";
import { linkSync, rmSync, writeFileSync } from "node:fs";

/**
 * Creates `file` holding `content` unless it already exists, in one step that other processes
 * see as all or nothing: the content is written to a private file beside it, then hard-linked
 * into place (a link fails if the name exists). A process that loses the race never reads a
 * half-written file. Returns true if this call created the file, false if it already existed.
 */
export function createExclusive(file: string, content: string, mode: number): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(aside, content, { mode, flag: "wx" });
  try {
    linkSync(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}
