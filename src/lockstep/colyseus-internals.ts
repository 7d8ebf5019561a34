import type { Client, Room } from "@colyseus/core";

/**
 * The only places where a lockstep room reaches into Colyseus 0.18 beyond its documented API,
 * kept in this file so that an upgrade of Colyseus has one file to check:
 *
 * 1. `Room#_onMessage(client, buffer)` is the entry point of every message a client sends:
 *    Colyseus binds it per connection (`client.ref.on('message', this._onMessage.bind(this, client))`
 *    in `_onJoin`, for joins and reconnections alike), looking it up on the instance, so an own
 *    property set before the first join replaces it. {@link interceptClientMessages} uses it to
 *    put the room's message gate in front of Colyseus's own decoding and dispatch.
 * 2. `Room#onMessageEvents.events` is the registry of message handlers by type (Colyseus keeps
 *    it reachable for its playground and testing tools): `events["sync_action"]` for
 *    `onMessage`, `events["_$b3"]` for `onMessageBytes(3)`, `events["*"]` for a catch-all.
 *    {@link hasMessageHandler} reads it so the gate can refuse types nothing handles.
 *
 * Both are exercised by the integration tests (test/integration/message-gate.test.ts): a
 * Colyseus release that changes either makes those tests fail, never silently lets input through.
 */
interface RoomInternals {
  _onMessage?: (client: Client, buffer: Buffer) => void;
  readonly onMessageEvents?: { readonly events: Readonly<Record<string, readonly unknown[] | undefined>> };
}

/** Receives every message of every client of a room, with Colyseus's own dispatch to call for those it lets through. */
export type MessageInterceptor = (client: Client, buffer: Buffer, dispatch: (client: Client, buffer: Buffer) => void) => void;

/**
 * Routes every message clients send to `room` through `intercept` first. Call before any
 * client joins (in `onCreate`). Throws if this Colyseus version has no such entry point, rather
 * than run a room whose input is unchecked.
 */
export function interceptClientMessages(room: Room, intercept: MessageInterceptor): void {
  const internals = room as unknown as RoomInternals;
  const original = internals._onMessage;
  if (typeof original !== "function") {
    throw new Error("colyseus-lockstep: this @colyseus/core has no Room#_onMessage; the lockstep message gate supports Colyseus 0.18");
  }
  const dispatch = original.bind(room) as (client: Client, buffer: Buffer) => void;
  internals._onMessage = (client: Client, buffer: Buffer) => intercept(client, buffer, dispatch);
}

/** True if `room` has a handler for messages filed under `key` (see the file comment for the keys). */
export function hasMessageHandler(room: Room, key: string): boolean {
  const events = (room as unknown as RoomInternals).onMessageEvents?.events;
  if (events === undefined) {
    throw new Error("colyseus-lockstep: this @colyseus/core has no Room#onMessageEvents; the lockstep message gate supports Colyseus 0.18");
  }
  const handlers = events[key];
  return handlers !== undefined && handlers.length > 0;
}
