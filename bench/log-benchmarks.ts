import { ClientGuard } from "../src/lockstep/client-guard.ts";
import { FrameLog } from "../src/lockstep/frame-log.ts";
import { resolveLockstepOptions } from "../src/lockstep/options.ts";
import { ReloadService } from "../src/lockstep/reload-service.ts";
import { frameToBytes } from "../test/support/frames.ts";

/** A frame of four 12-byte inputs, the benchmark's standard frame. */
function standardFrame(frame: number): Uint8Array {
  return frameToBytes({ frame, entries: [0, 1, 2, 3].map((slot) => ({ type: "action" as const, slot, payload: new Uint8Array(12).fill(slot + 1) })) });
}

/** A frame log holding `frames` standard frames. */
export function filledLog(frames: number): FrameLog {
  const log = new FrameLog({ firstFrame: 0, maxBytes: 256 * 1024 * 1024 });
  for (let frame = 0; frame < frames; frame++) log.append(standardFrame(frame));
  return log;
}

/**
 * Server time to answer a catch-up of `frames` frames (18,000 = 10 minutes at 30 Hz): the
 * request checked and the chunks built from the log, median of `runs` runs.
 */
export function catchUpServerTime(frames: number, runs = 15): { medianMs: number; chunks: number; bytes: number } {
  const log = filledLog(frames);
  const options = resolveLockstepOptions({ reloadBurst: runs + 1, reloadRequestsPerSecond: 1000 });
  const service = new ReloadService(log, options);
  const guard = new ClientGuard(options, 0);
  const times: number[] = [];
  let chunks = 0;
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const answer = service.answer({ start_frame: 0, request_id: run + 1 }, guard, 0);
    if ("error" in answer) throw new Error(answer.error.message);
    chunks = 0;
    bytes = 0;
    for (let chunk = answer.chunker.next(); chunk !== undefined; chunk = answer.chunker.next()) {
      chunks++;
      bytes += chunk.byteLength;
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, chunks, bytes };
}

/** Memory a one-hour, four-player, 30 Hz match log retains (12-byte inputs from every player every frame). */
export function hourLogMemory(): { frames: number; storedBytes: number; retainedBytes: number } {
  const log = filledLog(30 * 3600);
  return { frames: log.size, storedBytes: log.storedBytes, retainedBytes: log.retainedBytes };
}
