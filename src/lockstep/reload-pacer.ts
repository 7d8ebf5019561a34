import type { Client } from "@colyseus/core";
import type { ReloadChunker } from "./reload-planner.ts";
import type { SendQueueWatch } from "./send-queue.ts";

/** While a reload waits for a client's queue to drain, it looks again this often. */
export const RELOAD_PACE_MS = 25;

interface Pending {
  readonly client: Client;
  readonly chunker: ReloadChunker;
  sent: number;
  bytes: number;
  readonly finish: (chunks: number | undefined) => void;
}

/**
 * Sends reload answers chunk by chunk, only while the client's outgoing queue is under the
 * pacing mark, so a client that asks for the whole log and reads slowly (or not at all) holds
 * at most one pacing mark of the server's memory, never the log times its requests. One answer
 * per client at a time; one timer per room, armed only while an answer waits.
 */
export class ReloadPacer {
  readonly #queues: SendQueueWatch;
  readonly #send: (client: Client, chunk: Uint8Array) => void;
  readonly #answered: ((bytes: number) => void) | undefined;
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;

  /** `answered` is told the size of every answer sent in full (the metrics' reload sizes). */
  constructor(queues: SendQueueWatch, send: (client: Client, chunk: Uint8Array) => void, answered?: (bytes: number) => void) {
    this.#queues = queues;
    this.#send = send;
    this.#answered = answered;
  }

  /** True while an answer to this session is still being sent. */
  busy(sessionId: string): boolean {
    return this.#pending.has(sessionId);
  }

  /**
   * Sends `chunker`'s chunks to `client` as fast as its queue allows. Resolves with the number
   * of chunks once the final one is written, or undefined if the client went away first.
   */
  send(client: Client, chunker: ReloadChunker): Promise<number | undefined> {
    return new Promise((resolve) => {
      const pending: Pending = { client, chunker, sent: 0, bytes: 0, finish: resolve };
      this.#pending.set(client.sessionId, pending);
      this.#pump(pending);
      if (this.#pending.has(client.sessionId)) this.#arm();
    });
  }

  /** Abandons the answer to a session that left. */
  cancel(sessionId: string): void {
    const pending = this.#pending.get(sessionId);
    if (pending === undefined) return;
    this.#pending.delete(sessionId);
    pending.finish(undefined);
  }

  /** Abandons every answer (the room is closing). */
  stop(): void {
    for (const sessionId of [...this.#pending.keys()]) this.cancel(sessionId);
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump(pending: Pending): void {
    while (this.#queues.hasRoom(pending.client)) {
      const chunk = pending.chunker.next();
      if (chunk === undefined) break;
      this.#send(pending.client, chunk);
      pending.sent++;
      pending.bytes += chunk.byteLength;
    }
    if (pending.chunker.done) {
      this.#pending.delete(pending.client.sessionId);
      this.#answered?.(pending.bytes);
      pending.finish(pending.sent);
    }
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      for (const pending of [...this.#pending.values()]) this.#pump(pending);
      if (this.#pending.size > 0) this.#arm();
    }, RELOAD_PACE_MS);
    this.#timer.unref();
  }
}
