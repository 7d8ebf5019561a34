/**
 * Where a process keeps track of its rooms and of the seats its players hold, for the limits
 * on rooms per process and on matches per account. The server assembly provides it (see
 * `createLockstepServer`); a room without one has no such limits.
 */
export interface SeatRegistry {
  /**
   * A room is being created. Returns a reason to refuse (the process is full), or undefined
   * (the room counts until {@link roomClosed}). A match resumed from another process is
   * `mandatory`: it counts but is never refused (its players are already playing).
   */
  roomOpened(roomId: string, mandatory: boolean): string | undefined;
  /** A room counted by {@link roomOpened} is gone. */
  roomClosed(roomId: string): void;
  /** The player with this verified account id now holds a seat in `roomId` (join, or a match resumed here). */
  seated(uid: string, roomId: string): void;
  /** The player left `roomId` for good. */
  released(uid: string, roomId: string): void;
}
