import type { Room } from "@colyseus/core";
import { z } from "zod";
import { BinaryMessage, frameNumberOf, type MatchEndMessage } from "../../src/protocol/index.ts";
import type { LockstepPlayer } from "../../src/lockstep/roster.ts";
import { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import type { ClosedFrame } from "../../src/lockstep/closed-frame.ts";

/** Actions of the test game: a numbered move, or a request to end the match. */
export const testActionSchema = z.union([
  z.object({ kind: z.literal("move"), n: z.number().int(), pad: z.string().optional() }),
  z.object({ kind: z.literal("end"), winner: z.string() }),
]);

/** An action of the test game. */
export type TestAction = z.infer<typeof testActionSchema>;

/**
 * The test game's room: ends the match when a player sends `{ kind: "end" }`, records the
 * frames its observer hook saw, and resolves `disposed` when Colyseus disposes it.
 */
export class TestGameRoom extends LockstepRoom<TestAction> {
  override actionSchema = testActionSchema;
  readonly closedFrames: ClosedFrame<TestAction>[] = [];
  readonly disposed: Promise<void>;
  #markDisposed!: () => void;

  constructor() {
    super();
    this.disposed = new Promise((resolve) => (this.#markDisposed = resolve));
  }

  override onFrameClosed(frame: ClosedFrame<TestAction>): void {
    this.closedFrames.push(frame);
    const end = frame.actions.find((entry) => entry.action.kind === "end");
    if (end !== undefined && end.action.kind === "end") this.endMatch({ winner: end.action.winner });
  }

  override onDispose(): void {
    super.onDispose();
    this.#markDisposed();
  }
}

/** Four players, 60 Hz, small reload chunks so reloads span several messages. */
export class FourPlayerRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 60,
    minPlayers: 4,
    maxPlayers: 4,
    reconnectWindowSeconds: 10,
    reloadChunkFrames: 5,
    reloadBurst: 10,
  };
}

/** Two to three players, 30 Hz, tight limits for abuse tests. */
export class StrictRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 30,
    minPlayers: 3,
    maxPlayers: 3,
    maxActionBytes: 64,
    maxActionsPerFrame: 2,
    maxMessagesPerSecond: 40,
    maxStrikes: 10,
  };
}

/** Starts on a ready timeout even when nobody is ready. */
export class TimeoutRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 30,
    minPlayers: 2,
    maxPlayers: 3,
    readyTimeoutMs: 300,
  };
}

/** Two players, default start rule, short reconnection window. */
export class PairRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 30,
    minPlayers: 2,
    maxPlayers: 2,
    reconnectWindowSeconds: 1,
  };
}

/** Two players at 60 Hz with a reconnection window long enough for the SDK's automatic retry. */
export class ReconnectRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 60,
    minPlayers: 2,
    maxPlayers: 2,
    reconnectWindowSeconds: 10,
  };
}

/** A room whose settings are invalid: creating it must fail with a clear message. */
export class MisconfiguredRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    minPlayers: 5,
    maxPlayers: 2,
    frameRate: 1000,
  };
}

/** A room whose game hooks throw: the frame clock must keep going and the errors must be reported. */
export class FaultyRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 30,
    minPlayers: 1,
    maxPlayers: 2,
  };
  readonly hookErrors: string[] = [];

  override validateAction(action: TestAction): boolean {
    if (action.kind === "move" && action.n === 13) throw new Error("unlucky number");
    return true;
  }

  override onFrameClosed(frame: ClosedFrame<TestAction>): void {
    super.onFrameClosed(frame);
    throw new Error(`observer failed on frame ${frame.frame}`);
  }

  override onUncaughtException(error: Error, hook: string): void {
    this.hookErrors.push(`${hook}: ${error.message}`);
  }
}

type BroadcastOptions = Parameters<Room["broadcastBytes"]>[2];

/**
 * Loses chosen live frames on the way to chosen sessions, as a faulty network path would:
 * the frame is still logged and sent to everyone else.
 */
export class LossyRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 60,
    minPlayers: 2,
    maxPlayers: 2,
    reconnectWindowSeconds: 10,
    reloadChunkFrames: 7,
  };
  /** Frame numbers to withhold, by session id. */
  readonly losses = new Map<string, Set<number>>();

  override broadcastBytes(type: string | number, message: Uint8Array, options: BroadcastOptions): void {
    if (type === BinaryMessage.SYNC_FRAME) {
      const frame = frameNumberOf(message);
      const victims = this.clients.filter((client) => this.losses.get(client.sessionId)?.has(frame));
      if (victims.length > 0) return super.broadcastBytes(type, message, { ...options, except: victims });
    }
    super.broadcastBytes(type, message, options);
  }
}

/** A token-gated room (the default) that accepts any action, so tests can put anything in a payload. */
export class GatedRoom extends LockstepRoom<Record<string, unknown>> {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 2, maxPlayers: 2 };
  readonly closedFrames: ClosedFrame<Record<string, unknown>>[] = [];

  override onFrameClosed(frame: ClosedFrame<Record<string, unknown>>): void {
    this.closedFrames.push(frame);
  }
}

/** A token-gated room one player can start alone. */
export class SoloGatedRoom extends GatedRoom {
  override lockstep: LockstepOptionsInput = { frameRate: 30, minPlayers: 1, maxPlayers: 2 };
}

/**
 * A room for throwing arbitrary bytes at: budgets high enough that a fuzzing client is never
 * closed, and two game messages of its own whose handlers fail (one throws, one rejects).
 */
/** What FuzzRoom's deliberately failing handlers throw. */
export const DELIBERATE_THROW = "a game handler that throws";
export const DELIBERATE_REJECTION = "a game handler that rejects";

export class FuzzRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 30,
    minPlayers: 2,
    maxPlayers: 2,
    maxMessagesPerSecond: 1_000_000,
    maxStrikes: 1_000_000,
    reloadRequestsPerSecond: 1_000_000,
    reloadBurst: 1_000_000,
  };

  /** The failures its "boom" handlers produced on purpose: counted, not logged (they would fill the test output with stacks). */
  static readonly reported: string[] = [];

  override reportException(error: Error, methodName: string): void {
    if (error.message === DELIBERATE_THROW || error.message === DELIBERATE_REJECTION) FuzzRoom.reported.push(error.message);
    else super.reportException(error, methodName);
  }

  override onCreate(options?: Record<string, unknown>): void | Promise<unknown> {
    const created = super.onCreate(options);
    this.onMessage("boom", () => {
      throw new Error(DELIBERATE_THROW);
    });
    this.onMessage("boom_async", async () => {
      throw new Error(DELIBERATE_REJECTION);
    });
    return created;
  }
}

/** Three players at 30 Hz with the default budgets: the room the flood tests attack. */
export class FloodRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = { requireAuth: false, frameRate: 30, minPlayers: 3, maxPlayers: 3 };
}

/** Big actions fill the frame log fast; a small outgoing-queue bound makes a slow reader show quickly. */
export class SlowReaderRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = {
    requireAuth: false,
    frameRate: 60,
    minPlayers: 3,
    maxPlayers: 3,
    maxActionBytes: 3600,
    maxActionsPerFrame: 8,
    maxMessagesPerSecond: 1000,
    reloadChunkBytes: 16 * 1024,
    maxSendQueueBytes: 256 * 1024,
    reconnectWindowSeconds: 30,
  };
}

/** Records every hook call, in order, as `hook:detail`. */
export class HookRecorderRoom extends TestGameRoom {
  override lockstep: LockstepOptionsInput = { requireAuth: true, frameRate: 30, minPlayers: 2, maxPlayers: 2 };
  readonly calls: string[] = [];

  override onPlayerJoin(player: LockstepPlayer): void {
    this.calls.push(`join:${player.uid}`);
  }

  override onMatchStart(): void {
    this.calls.push("start");
  }

  override onFrameClosed(frame: ClosedFrame<TestAction>): void {
    super.onFrameClosed(frame);
    this.calls.push(`frame:${frame.frame}:${frame.actions.map((entry) => `${entry.uid}=${entry.action.kind}`).join(",")}`);
  }

  override onPlayerLeave(player: LockstepPlayer, reason: string): void {
    this.calls.push(`leave:${player.uid}:${reason}`);
  }

  override onMatchEnd(end: MatchEndMessage): void {
    this.calls.push(`end:${end.reason}:${end.last_frame}`);
  }
}
