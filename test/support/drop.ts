import type { Client as ServerClient, Room as ServerRoom } from "@colyseus/core";
import { serverRoom } from "./server.ts";

/**
 * Cuts a player's connection the way a network failure does: the server-side socket is
 * destroyed without a close handshake, so both ends see code 1006.
 */
export function cutConnection(player: { readonly room: { readonly roomId: string; readonly sessionId: string } }): void {
  const room = serverRoom<ServerRoom>(player.room.roomId);
  const client = room.clients.find((candidate: ServerClient) => candidate.sessionId === player.room.sessionId);
  if (client === undefined) throw new Error(`session ${player.room.sessionId} is not connected`);
  (client.ref as unknown as { terminate(): void }).terminate();
}
