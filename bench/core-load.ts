import { readFileSync } from "node:fs";

/** Jiffies a core spent busy and in total, from /proc/stat (Linux). */
interface CoreTimes {
  readonly busy: number;
  readonly total: number;
}

/** Every core's times now, or undefined where /proc/stat does not exist. */
export function readCoreTimes(): CoreTimes[] | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/stat", "utf8");
  } catch {
    return undefined;
  }
  const cores: CoreTimes[] = [];
  for (const line of text.split("\n")) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    const fields = match[2]!.trim().split(/\s+/).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    cores[Number(match[1])] = { busy: total - fields[3]! - (fields[4] ?? 0), total };
  }
  return cores;
}

/** How busy core `core` was between two readings, in % (whatever ran on it, not only our process). */
export function coreBusyPercent(before: CoreTimes[] | undefined, after: CoreTimes[] | undefined, core: number): number | undefined {
  const from = before?.[core];
  const to = after?.[core];
  if (from === undefined || to === undefined || to.total === from.total) return undefined;
  return ((to.busy - from.busy) / (to.total - from.total)) * 100;
}
