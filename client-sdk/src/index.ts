/**
 * colyseus-lockstep-client: the browser and Node client of colyseus-lockstep.
 * @packageDocumentation
 */
export { LockstepClient, type LockstepClientOptions } from "./lockstep-client.ts";
export { LockstepMatch } from "./lockstep-match.ts";
export { AuthError, type AuthSession, type AuthUser } from "./account-api.ts";
export { FixedStepRunner, type GameLoop, type RunHandle, type RunOptions } from "./fixed-step-runner.ts";
export { FrameSequencer, type SequencerSink } from "./frame-sequencer.ts";
export { createRandom, type DeterministicRandom } from "./random.ts";
export { hashState } from "./state-hash.ts";
export { DEFAULT_MAX_REPLAY_BYTES, ReplayLoadErrorCode, loadReplay, type LoadReplayOptions } from "./load-replay.ts";
export { ReplayPlayer, type ReplayPlayerOptions, type ReplayTicker } from "./replay-player.ts";
export type { MatchFeed } from "./match-feed.ts";
export type { ReplayMismatch } from "./replay-checksums.ts";
export { MAX_REPLAY_SPEED, MIN_REPLAY_SPEED } from "./replay-clock.ts";
export { syncTest, type SyncTestCause, type SyncTestOptions, type SyncTestResult } from "./sync-test.ts";
export {
  ClientErrorCode,
  LockstepClientError,
  type ActionOf,
  type FrameActionOf,
  type FrameRosterEvent,
  type LockstepFrame,
  type MatchEnd,
  type MatchInfo,
  type MatchPhase,
  type PlayerLeft,
} from "./types.ts";
export { CLOSE_CODE_DESCRIPTIONS } from "./close-codes.ts";
export { FrameEventKind, type PlayerInfo, type DesyncNotice, type DesyncGroup, type StateHash } from "../../src/protocol/index.ts";
export { ReplayErrorCode, ReplayFormatError, type ReplayDocument, type ReplayParticipant, type ReplaySnapshot } from "../../src/protocol/index.ts";
export type { ChecksumOptions } from "./checksum-reporter.ts";
