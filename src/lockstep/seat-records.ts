import { EventEmitter } from "node:events";
import type { Client } from "@colyseus/core";
import type { PersistedSeat } from "./persisted-match.ts";
import type { LockstepPlayer } from "./roster.ts";

/** The seats to persist: who may reconnect, with which session and token, as whom. */
export function seatRecords(players: readonly LockstepPlayer[]): PersistedSeat[] {
  return players.map((player) => ({
    sessionId: player.sessionId,
    reconnectionToken: player.client.reconnectionToken,
    uid: player.uid,
    name: player.name,
    role: player.role,
    slot: player.slot,
    auth: player.client.auth ?? null,
  }));
}

/**
 * A stand-in for the connection a persisted seat had on the process that died: Colyseus's
 * `allowReconnection` needs the previous client's session id, reconnection token and auth,
 * and replaces this object's connection with the real one when the player comes back.
 */
export function placeholderClient(seat: PersistedSeat): Client {
  return {
    sessionId: seat.sessionId,
    reconnectionToken: seat.reconnectionToken,
    auth: seat.auth ?? undefined,
    userData: undefined,
    ref: new EventEmitter(),
  } as unknown as Client;
}
