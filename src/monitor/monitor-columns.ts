import type { MonitorOptions } from "@colyseus/monitor";

/**
 * The rooms grid of `@colyseus/monitor` for lockstep rooms: the stock room id and name,
 * then the values every lockstep room keeps in its listing metadata, refreshed at most once a
 * second (`listingRefreshMs`; see `ListingStats`): phase, last frame sent, frame rate, players
 * seated and connected, spectators, p99 tick lateness of the last minute, frame-log size; then
 * the stock time since the room was created and the process that runs it.
 */
export const LOCKSTEP_MONITOR_COLUMNS: NonNullable<MonitorOptions["columns"]> = [
  "roomId",
  "name",
  { metadata: "phase" },
  { metadata: "frame" },
  { metadata: "rate" },
  { metadata: "seated" },
  { metadata: "connected" },
  { metadata: "spectators" },
  { metadata: "tick p99" },
  { metadata: "log" },
  "elapsedTime",
  "processId",
];
