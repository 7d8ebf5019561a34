/**
 * `colyseus-lockstep/monitor`: `@colyseus/monitor` as the lockstep operator's console (the
 * lockstep columns, the match in the room view, and only the lockstep actions). Needs the
 * optional peer dependency `@colyseus/monitor`. See the README's "Operator's console".
 * @packageDocumentation
 */
export { LOCKSTEP_MONITOR_COLUMNS } from "./monitor-columns.ts";
export { mountLockstepMonitor, type LockstepMonitorOptions } from "./mount-monitor.ts";
export { END_MATCH_BROADCAST, guardRoomCalls, type OperatorIdentity } from "./room-call-guard.ts";
