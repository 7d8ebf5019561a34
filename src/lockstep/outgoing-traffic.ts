import { logger, type Client } from "@colyseus/core";
import { BinaryMessage } from "../protocol/messages.ts";
import { ReloadPacer } from "./reload-pacer.ts";
import type { ReloadChunker } from "./reload-planner.ts";
import { SEND_QUEUE_CHECK_MS, SEND_QUEUE_STALL_MS, SendQueueWatch } from "./send-queue.ts";

/**
 * What a room sends beyond its broadcasts, and who cannot keep up with it: reload answers go out
 * paced (see `ReloadPacer`), and a client whose outgoing queue breaks the bound (see
 * `SendQueueWatch`) is cut off, its seat held like any drop. One per room; its once-a-second
 * check runs until {@link stop}.
 */
export class OutgoingTraffic {
  readonly #queues: SendQueueWatch;
  readonly #pacer: ReloadPacer;
  readonly #timer: NodeJS.Timeout;
  readonly #roomId: () => string;

  /**
   * `clients` are the room's current clients; `roomId` names the room in the log when a reader
   * is cut off; `reloadSent` is told the bytes of each reload answer sent in full.
   */
  constructor(maxSendQueueBytes: number, clients: () => Iterable<Client>, roomId: () => string, reloadSent?: (bytes: number) => void) {
    this.#roomId = roomId;
    this.#queues = new SendQueueWatch(maxSendQueueBytes);
    this.#pacer = new ReloadPacer(this.#queues, (client, chunk) => client.sendBytes(BinaryMessage.RELOAD_FRAMES, chunk), reloadSent);
    this.#timer = setInterval(() => {
      for (const client of this.#queues.check(clients(), performance.now())) this.#cutOff(client);
    }, SEND_QUEUE_CHECK_MS);
    this.#timer.unref();
  }

  /** After a frame went to `clients`: cuts off those whose queue is now over the bound. */
  afterBroadcast(clients: readonly Client[]): void {
    const overflowing = this.#queues.overflowing(clients);
    if (overflowing !== undefined) for (const client of overflowing) this.#cutOff(client);
  }

  /** False while a reload answer to `client` is still going out, or its queue is over the pacing mark. */
  canAnswerReload(client: Client): boolean {
    return !this.#pacer.busy(client.sessionId) && this.#queues.hasRoom(client);
  }

  /** Sends a reload answer, paced; resolves with its chunk count, or undefined if the client went away first. */
  sendReload(client: Client, chunker: ReloadChunker): Promise<number | undefined> {
    return this.#pacer.send(client, chunker);
  }

  /** The client is gone: its pending reload answer is dropped. */
  forget(sessionId: string): void {
    this.#pacer.cancel(sessionId);
  }

  /** The room is disposed. */
  stop(): void {
    clearInterval(this.#timer);
    this.#pacer.stop();
  }

  #cutOff(client: Client): void {
    logger.info(
      `lockstep: room ${this.#roomId()} dropped ${client.sessionId}: it is not reading (outgoing queue over ${this.#queues.maxBytes} bytes, or over a quarter of it for ${SEND_QUEUE_STALL_MS / 1000} s)`,
    );
    (client.ref as { terminate?: () => void }).terminate?.();
  }
}
