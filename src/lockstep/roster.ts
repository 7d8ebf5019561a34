import type { Client } from "@colyseus/core";
import type { PlayerInfo } from "../protocol/messages.ts";

/** A seated player, as the room and its hooks see it. */
export interface LockstepPlayer {
  /** Stable identity, from the auth data or the session; never from a client message. */
  readonly uid: string;
  /** Seat number (0-based), shown in every frame entry. Kept across reconnections. */
  readonly slot: number;
  /** Display name. */
  readonly name: string;
  /** Role from the verified token (`player` in open rooms). */
  readonly role: string;
  /** Colyseus session id (stable across reconnections). */
  readonly sessionId: string;
  /** Has sent `room_prepare`. */
  ready: boolean;
  /** False while the connection is dropped and the seat is held. */
  connected: boolean;
  /** The current connection (replaced on reconnection). */
  client: Client;
  /** When the connection dropped (epoch ms), while it is dropped; for operators. */
  droppedAt: number | undefined;
  /** Actions of this player accepted into frames, and refused (invalid, over a limit, out of phase); for operators. */
  actionsAccepted: number;
  actionsRefused: number;
}

/** The identity a room gives a joining client. */
export interface PlayerIdentity {
  readonly uid: string;
  readonly name: string;
  readonly role: string;
}

/** Seats players in the lowest free slot and finds them by session, uid or slot. */
export class Roster {
  readonly capacity: number;
  readonly #bySlot: (LockstepPlayer | undefined)[];
  readonly #bySession = new Map<string, LockstepPlayer>();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#bySlot = new Array(capacity).fill(undefined);
  }

  /** Number of seated players (connected or not). */
  get size(): number {
    return this.#bySession.size;
  }

  /** Seated players in slot order. */
  get players(): LockstepPlayer[] {
    return this.#bySlot.filter((player): player is LockstepPlayer => player !== undefined);
  }

  /** Seats a player in the lowest free slot (or in `slot`, when restoring a match). Throws if no seat is free. */
  seat(identity: PlayerIdentity, client: Client, slot: number = this.#bySlot.indexOf(undefined)): LockstepPlayer {
    if (slot === -1) throw new Error("roster is full");
    if (this.#bySlot[slot] !== undefined || slot >= this.capacity) throw new Error(`slot ${slot} is not free`);
    const player: LockstepPlayer = {
      uid: identity.uid,
      name: identity.name || `Player ${slot + 1}`,
      role: identity.role,
      slot,
      sessionId: client.sessionId,
      ready: false,
      connected: true,
      client,
      droppedAt: undefined,
      actionsAccepted: 0,
      actionsRefused: 0,
    };
    this.#bySlot[slot] = player;
    this.#bySession.set(client.sessionId, player);
    return player;
  }

  /** Frees a player's slot. */
  unseat(player: LockstepPlayer): void {
    this.#bySlot[player.slot] = undefined;
    this.#bySession.delete(player.sessionId);
  }

  /** The player of a session, if seated. */
  bySession(sessionId: string): LockstepPlayer | undefined {
    return this.#bySession.get(sessionId);
  }

  /** The player in `slot`, if seated. */
  bySlot(slot: number): LockstepPlayer | undefined {
    return this.#bySlot[slot];
  }

  /** The player with this uid, if seated. */
  byUid(uid: string): LockstepPlayer | undefined {
    for (const player of this.#bySession.values()) if (player.uid === uid) return player;
    return undefined;
  }
}

/** The public view of a player, as sent in messages. */
export function playerInfo(player: LockstepPlayer): PlayerInfo {
  return { uid: player.uid, slot: player.slot, name: player.name, role: player.role, ready: player.ready, connected: player.connected };
}

/**
 * The default start rule: at least `minPlayers` seated and every seated player ready.
 * Rooms replace it by overriding `canStart`.
 */
export function everyoneReady(players: readonly LockstepPlayer[], minPlayers: number): boolean {
  return players.length >= minPlayers && players.every((player) => player.ready);
}
