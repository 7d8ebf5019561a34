import type { LockstepRoom } from "./lockstep-room.ts";
import { resolveLockstepOptions, type LockstepOptions } from "./options.ts";

/**
 * The settings a room class declares in its `lockstep` field, validated: what the server
 * assembly needs before any room exists (whether joining needs a token), and a way to reject
 * invalid settings when the server starts rather than when the first room is created. Makes
 * one throwaway instance (Colyseus constructs rooms with no arguments; a room's constructor
 * has no side effects).
 */
export function declaredSettings(RoomClass: new () => LockstepRoom): LockstepOptions {
  return resolveLockstepOptions(new RoomClass().lockstep);
}
