import type { FrameBytesRun } from "../protocol/replay-format.ts";

/** Frames `skip` to `skip + count - 1` of `runs` (which must hold them), as runs; the bytes are not copied. */
export function sliceRuns(runs: readonly FrameBytesRun[], skip: number, count: number): FrameBytesRun[] {
  const sliced: FrameBytesRun[] = [];
  let toSkip = skip;
  let toTake = count;
  for (const run of runs) {
    if (toTake === 0) break;
    const frames = run.ends.length;
    if (toSkip >= frames) {
      toSkip -= frames;
      continue;
    }
    const first = toSkip;
    const last = Math.min(frames, first + toTake);
    toSkip = 0;
    toTake -= last - first;
    if (first === 0 && last === frames) {
      sliced.push(run);
      continue;
    }
    const offset = first === 0 ? 0 : run.ends[first - 1]!;
    const ends = new Uint32Array(last - first);
    for (let i = first; i < last; i++) ends[i - first] = run.ends[i]! - offset;
    sliced.push({ bytes: run.bytes.subarray(offset, run.ends[last - 1]), ends });
  }
  return sliced;
}

/** Frames held one by one, copied back to back into one run (a slice read from a store becomes one object instead of one per frame). */
export function packFrames(frames: readonly Uint8Array[]): FrameBytesRun {
  const ends = new Uint32Array(frames.length);
  let size = 0;
  for (let i = 0; i < frames.length; i++) {
    size += frames[i]!.byteLength;
    ends[i] = size;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const frame of frames) {
    bytes.set(frame, offset);
    offset += frame.byteLength;
  }
  return { bytes, ends };
}
