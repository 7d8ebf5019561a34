import type { IncomingMessage } from "node:http";
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

/** The matchmaking HTTP calls a server received (`joinOrCreate`, `reconnect`, …), in order. */
export interface MatchmakingLog {
  /** The method of each call so far. */
  readonly calls: readonly string[];
  /**
   * The calls after one more HTTP round trip to the server. A client's retry starts the moment
   * its connection closes, so one begun before this round trip has arrived by the time it
   * completes (loopback): a fence for "no call was made", backed by the tests' other checks.
   */
  settled(): Promise<readonly string[]>;
  /** Stops recording. */
  stop(): void;
}

/** Records every matchmaking call (join, create, reconnect) the server receives: a client's retries show up here. */
export function recordMatchmaking(lockstep: LockstepServer): MatchmakingLog {
  const http = lockstep.server.transport.server;
  if (http === undefined) throw new Error("the server has no HTTP server");
  const calls: string[] = [];
  const onRequest = (request: IncomingMessage): void => {
    const method = /^\/matchmake\/(\w+)\//.exec(request.url ?? "")?.[1];
    if (method !== undefined) calls.push(method);
  };
  http.on("request", onRequest);
  return {
    calls,
    async settled() {
      await (await fetch(`${lockstep.url}/__healthcheck`)).text();
      return [...calls];
    },
    stop: () => http.off("request", onRequest),
  };
}
