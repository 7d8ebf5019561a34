import type { FrameLog } from "./frame-log.ts";
import type { FrameRunSource } from "./replay-archive.ts";

/**
 * Every frame the log holds, from its first, as the log's own runs (views, no copy): a long
 * match has about 100,000 frames, and one object per frame would make the process's garbage
 * collection pause the rooms' frame clocks while its replay is written.
 */
export function readLogFrames(log: FrameLog): FrameRunSource {
  return { firstFrame: log.firstFrame, runs: log.size === 0 ? [] : log.runs(log.firstFrame, log.lastFrame) };
}
