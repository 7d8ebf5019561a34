/**
 * colyseus-lockstep: server-driven lockstep ("frame sync") rooms for Colyseus 0.18. This entry
 * needs only Colyseus (`@colyseus/core`, `@colyseus/ws-transport`); accounts, scaling and the
 * testing kit are the subpaths `colyseus-lockstep/accounts`, `/scaling` and `/testing`, and the
 * wire protocol for custom clients is `colyseus-lockstep/protocol`. See docs/API.md.
 * @packageDocumentation
 */
export { LockstepRoom, type LeaveReason } from "./lockstep/lockstep-room.ts";
export type { SpectatorIdentity } from "./lockstep/spectator-gallery.ts";
export type { LockstepOptions, LockstepOptionsInput } from "./lockstep/options.ts";
export type { ActionVerdict } from "./lockstep/action-intake.ts";
export type { ClosedFrame } from "./lockstep/closed-frame.ts";
export type { LockstepPlayer, PlayerIdentity } from "./lockstep/roster.ts";
export type { FrameLog, FrameRun, LogOverflowPolicy } from "./lockstep/frame-log.ts";
export { defaultIdentity } from "./lockstep/identity.ts";
export { LockstepMetrics, type LockstepMetricsOptions } from "./lockstep/metrics.ts";
export type { LockstepServices } from "./lockstep/room-services.ts";
export type {
  DesyncDiffEntry,
  DesyncDump,
  DesyncGroup,
  DesyncMatchSettings,
  DesyncNotice,
  DesyncReport,
  DesyncReportSink,
  DesyncReportStore,
  DesyncReportSummary,
} from "./lockstep/desync-report.ts";
export type { DesyncStats } from "./lockstep/desync-watch.ts";
export type { ListingStats, MatchInspection, OperatorLateness, OperatorLog, OperatorPlayer } from "./lockstep/operator-view.ts";
export {
  DEFAULT_MAX_PENDING_REPLAYS,
  DEFAULT_MAX_REPLAY_BYTES,
  DEFAULT_REPLAY_RETENTION_DAYS,
  DEFAULT_REPLAY_RETRY_DELAYS_MS,
  ReplayArchive,
  ReplayFramesGone,
  type FinishedMatch,
  type FrameRunSource,
  type ReplayArchiveOptions,
  type ReplaySink,
} from "./lockstep/replay-archive.ts";
export { encodeReplayDocument } from "./lockstep/replay-document.ts";
export { MAX_REPLAY_CHECKSUMS, MAX_REPLAY_PARTICIPANTS, type ReplayHistory } from "./lockstep/replay-recorder.ts";
export { DEFAULT_REPLAY_SNAPSHOT_BYTES, MAX_REPLAY_SNAPSHOTS } from "./lockstep/replay-snapshots.ts";
export type { ReplayQuery, ReplayStore, ReplaySummary, StoredReplay } from "./lockstep/replay-store.ts";
export { createLockstepServer, ListenError, type LockstepServer, type LockstepServerOptions, type RoomClass } from "./server/create-server.ts";
export type { AdmissionLimits, TokenVerifier, VerifiedIdentity } from "./server/room-admission.ts";
export { refuseCrossSite } from "./server/http/same-origin.ts";
export {
  FrameEventKind,
  LockstepCloseCode,
  LockstepErrorCode,
  type MatchEndMessage,
  type MatchPhase,
  type MatchStartMessage,
  type PlayerInfo,
  type ReplayDocument,
  type ReplayHeader,
  type ReplayParticipant,
  type ReplaySnapshot,
  readReplayDocument,
} from "./protocol/index.ts";
