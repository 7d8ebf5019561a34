/**
 * `colyseus-lockstep/testing`: test a game's `LockstepRoom` with real clients on a real server,
 * frame by frame: `bootLockstep({ rooms })`, `startMatch(name, { players })`, players `act`,
 * the test `advance`s the frame clock and asserts the frames, refusals and hooks. Built on
 * `@colyseus/testing` (an optional peer dependency, with `@colyseus/sdk`).
 * @packageDocumentation
 */
export { bootLockstep, LockstepTestServer, type LockstepTestOptions, type TestJoinOptions } from "./test-server.ts";
export { TestMatch, type AnyLockstepRoom } from "./test-match.ts";
export { TestClient, type ReceivedFrame } from "./test-client.ts";
export { testToken, testTokenVerifier } from "./test-tokens.ts";
export { ManualClock, ManualClocks } from "./manual-clock.ts";
export { EventLog } from "./event-log.ts";
