/**
 * colyseus-lockstep: server-driven lockstep ("frame sync") rooms for Colyseus 0.18.
 * @packageDocumentation
 */
export { LockstepRoom, type LeaveReason } from "./lockstep/lockstep-room.ts";
export type { ActionVerdict } from "./lockstep/action-intake.ts";
export type { ClosedFrame } from "./lockstep/closed-frame.ts";
export type { LockstepPlayer, PlayerIdentity } from "./lockstep/roster.ts";
export { defaultIdentity } from "./lockstep/identity.ts";
export { FrameLog, type FrameRun, type LogOverflowPolicy } from "./lockstep/frame-log.ts";
export { FrameScheduler, type MonotonicClock, type Timers } from "./lockstep/frame-scheduler.ts";
export { lockstepOptionsSchema, resolveLockstepOptions, type LockstepOptions, type LockstepOptionsInput } from "./lockstep/options.ts";
export { createLockstepServer, type LockstepServer, type LockstepServerOptions } from "./server/create-server.ts";
export * from "./protocol/index.ts";
