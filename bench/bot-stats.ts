import { Histogram } from "../src/lockstep/histogram.ts";
import { ArrivalRecorder } from "./arrival.ts";

/** What one bot saw. Merged into each window's totals by the bot driver. */
export class BotStats {
  framesReceived = 0;
  frameMessageBytes = 0;
  /** Bytes of WebSocket frame headers those messages needed (2 below 126 bytes, 4 below 64 KiB). */
  wsHeaderBytes = 0;
  lost = 0;
  duplicated = 0;
  inputsSent = 0;
  /** State checksums sent (LockstepRoom with checksums on). */
  checksumsSent = 0;
  readonly inputToFrame = new Histogram();
  readonly arrival: ArrivalRecorder;
  #lastFrame: number | undefined;
  readonly #sentAt = new Map<number, number>();

  constructor(frameRate: number) {
    this.arrival = new ArrivalRecorder(frameRate);
  }

  /** Records a frame message of `size` bytes carrying frame number `frame`, which arrived at `now`. */
  frame(frame: number, size: number, now: number): void {
    this.arrival.arrived(frame, now);
    this.framesReceived++;
    this.frameMessageBytes += size;
    this.wsHeaderBytes += size < 126 ? 2 : size < 65_536 ? 4 : 10;
    const last = this.#lastFrame;
    if (last !== undefined) {
      if (frame <= last) this.duplicated++;
      else this.lost += frame - last - 1;
    }
    if (last === undefined || frame > last) this.#lastFrame = frame;
  }

  sent(sequence: number, now: number): void {
    this.inputsSent++;
    this.#sentAt.set(sequence, now);
  }

  /** This bot's input `sequence` appeared in a frame that arrived at `now`. */
  seen(sequence: number, now: number): void {
    const at = this.#sentAt.get(sequence);
    if (at === undefined) return;
    this.#sentAt.delete(sequence);
    this.inputToFrame.record(now - at);
  }

  /** Starts a window: counts restart (frame continuity and the best arrival are kept). */
  startWindow(): void {
    this.framesReceived = 0;
    this.frameMessageBytes = 0;
    this.wsHeaderBytes = 0;
    this.lost = 0;
    this.duplicated = 0;
    this.inputsSent = 0;
    this.checksumsSent = 0;
    this.inputToFrame.reset();
    this.arrival.startWindow();
  }
}
