import type { MatchPersistence } from "./match-persistence.ts";
import type { LockstepMetrics } from "./metrics.ts";
import type { PhaseBalancer } from "./phase-balancer.ts";
import type { SeatRegistry } from "./seat-registry.ts";
import type { MonotonicClock, Timers } from "./frame-scheduler.ts";
import type { DesyncReportSink } from "./desync-report.ts";
import type { ReplaySink } from "./replay-archive.ts";

/**
 * What a process gives its lockstep rooms: each is optional, and a room without it simply does
 * without (no persistence, no limits, no metrics). They reach a room one way only:
 * `createLockstepServer` puts them on the class it defines for each room (see
 * {@link ROOM_SERVICES}); no message or join option can touch them.
 */
export interface LockstepServices {
  /** Makes matches outlive their process (`createScalingBackends` with Redis). */
  readonly persistence?: MatchPersistence;
  /** Spreads the rooms' frame deadlines over the period (one per process). */
  readonly phases?: PhaseBalancer;
  /** The process's rooms and the seats accounts hold (limits on rooms per process and matches per account). */
  readonly seats?: SeatRegistry;
  /** Counters and tick timing of every room of the process. */
  readonly metrics?: LockstepMetrics;
  /** Where desync reports are stored (the accounts database: `SqlDesyncReportStore`). Without it, reports reach only `onDesyncReport`. */
  readonly desyncReports?: DesyncReportSink;
  /** Where finished matches' replays go (a `ReplayArchive` on the accounts database). Without it, no replay is kept. */
  readonly replays?: ReplaySink;
  /** The time a room's frames close by (default: the wall clock). The testing kit gives each room a clock it runs by hand. */
  readonly frameClock?: (roomId: string) => FrameClock;
}

/** A clock and the timers that go with it. */
export interface FrameClock {
  readonly clock: MonotonicClock;
  readonly timers: Timers;
}

/** The static property of a room class that holds its {@link LockstepServices}. */
export const ROOM_SERVICES: unique symbol = Symbol("colyseus-lockstep.services");

/** A room class as a server defines it: the game's class, with the services of that server. */
export interface ServedRoomClass {
  readonly [ROOM_SERVICES]?: LockstepServices;
}

/** The services of `room`'s class (none for a room defined without `createLockstepServer`). */
export function servicesOf(room: object): LockstepServices {
  return (room.constructor as ServedRoomClass)[ROOM_SERVICES] ?? {};
}
