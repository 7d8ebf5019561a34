import type { Client } from "@colyseus/core";

/** How often every client's outgoing queue is looked at: a slow reader is found within a second, at the cost of one pass per room per second. */
export const SEND_QUEUE_CHECK_MS = 1000;
/**
 * A client whose queue stays above the pacing mark this long is not reading (a phone on a
 * dead network, a client that stopped its socket): it is dropped. Ten seconds lets an honest
 * client on a slow link drain a large catch-up.
 */
export const SEND_QUEUE_STALL_MS = 10_000;
/** Reload chunks are written only while a client's queue is below this share of `maxSendQueueBytes`; the rest waits. */
export const RELOAD_PACE_FRACTION = 0.25;

/**
 * Bytes written to a client's connection and not yet handed to the network: the `ws` socket's
 * `bufferedAmount` (its own queue plus the kernel-side backlog Node keeps).
 */
export function queuedBytes(client: Client): number {
  return (client.ref as { bufferedAmount?: number }).bufferedAmount ?? 0;
}

/**
 * Watches every client's outgoing queue against the room's bound. Overflow rule: a client
 * whose queue is over `maxBytes` after a frame was written to it, or has stayed over the pacing
 * mark (a quarter of it) for {@link SEND_QUEUE_STALL_MS} (looked at once a second), is dropped:
 * its connection is cut and its seat is held for the reconnection window like any drop, so it
 * comes back and catches up (paced) instead of growing the server's memory. A queue therefore
 * never holds more than the bound plus one frame.
 */
export class SendQueueWatch {
  /** The bound on one client's outgoing queue. */
  readonly maxBytes: number;
  /** Below this, reload chunks may be written. */
  readonly paceBytes: number;
  readonly #overSince = new Map<string, number>();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
    this.paceBytes = Math.floor(maxBytes * RELOAD_PACE_FRACTION);
  }

  /** True if more reload data may be written to this client now. */
  hasRoom(client: Client): boolean {
    return queuedBytes(client) < this.paceBytes;
  }

  /** After a frame was written: the clients whose queue is now over the bound (a property read per client, no allocation when none is). */
  overflowing(clients: readonly Client[]): Client[] | undefined {
    let over: Client[] | undefined;
    for (let i = 0; i < clients.length; i++) {
      if (queuedBytes(clients[i]!) <= this.maxBytes) continue;
      over ??= [];
      over.push(clients[i]!);
    }
    return over;
  }

  /** Once a second: the clients that have stayed over the pacing mark too long, or are over the bound (see the overflow rule). */
  check(clients: Iterable<Client>, now: number): Client[] {
    const drop: Client[] = [];
    const seen = new Set<string>();
    for (const client of clients) {
      seen.add(client.sessionId);
      const queued = queuedBytes(client);
      if (queued <= this.paceBytes) {
        this.#overSince.delete(client.sessionId);
        continue;
      }
      const since = this.#overSince.get(client.sessionId);
      if (since === undefined) this.#overSince.set(client.sessionId, now);
      if (queued > this.maxBytes || (since !== undefined && now - since >= SEND_QUEUE_STALL_MS)) {
        this.#overSince.delete(client.sessionId);
        drop.push(client);
      }
    }
    for (const sessionId of this.#overSince.keys()) if (!seen.has(sessionId)) this.#overSince.delete(sessionId);
    return drop;
  }
}
