import { matchMaker } from "@colyseus/core";
import { createLockstepServer, type LockstepServer, type RoomClass } from "../../src/server/create-server.ts";

/** Starts a real Colyseus server on a free loopback port. */
export async function startServer(rooms: Record<string, RoomClass>): Promise<LockstepServer> {
  return createLockstepServer({ rooms, port: 0, host: "127.0.0.1" });
}

/** The live room instance behind a client's room id (same process). */
export function serverRoom<T>(roomId: string): T {
  const room = matchMaker.getLocalRoomById(roomId);
  if (room === undefined) throw new Error(`room ${roomId} is not on this process`);
  return room as T;
}
