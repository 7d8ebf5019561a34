import { Histogram } from "../src/lockstep/histogram.ts";

/** What one bot saw. Merged into the run's totals by the bot driver. */
export class BotStats {
  framesReceived = 0;
  frameMessageBytes = 0;
  /** Bytes of WebSocket frame headers those messages needed (2 below 126 bytes, 4 below 64 KiB). */
  wsHeaderBytes = 0;
  lost = 0;
  duplicated = 0;
  inputsSent = 0;
  readonly inputToFrame = new Histogram();
  #lastFrame: number | undefined;
  readonly #sentAt = new Map<number, number>();

  /** Records a frame message of `size` bytes carrying frame number `frame`. */
  frame(frame: number, size: number): void {
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

  sent(sequence: number): void {
    this.inputsSent++;
    this.#sentAt.set(sequence, performance.now());
  }

  /** This bot's input `sequence` appeared in a frame. */
  seen(sequence: number): void {
    const at = this.#sentAt.get(sequence);
    if (at === undefined) return;
    this.#sentAt.delete(sequence);
    this.inputToFrame.record(performance.now() - at);
  }

  /** Starts the measured window: counts restart, continuity is kept. */
  reset(): void {
    this.framesReceived = 0;
    this.frameMessageBytes = 0;
    this.wsHeaderBytes = 0;
    this.lost = 0;
    this.duplicated = 0;
    this.inputsSent = 0;
    this.inputToFrame.reset();
  }
}
