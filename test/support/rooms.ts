import { z } from "zod";
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

/** A 4-player room at 60 Hz that ends the match when a player sends `{ kind: "end" }`. */
export class FourPlayerRoom extends LockstepRoom<TestAction> {
  override lockstep: LockstepOptionsInput = { frameRate: 60, minPlayers: 4, maxPlayers: 4, reconnectWindowSeconds: 10 };
  override actionSchema = testActionSchema;
  readonly closedFrames: ClosedFrame<TestAction>[] = [];

  override onFrameClosed(frame: ClosedFrame<TestAction>): void {
    this.closedFrames.push(frame);
    const end = frame.actions.find((entry) => entry.action.kind === "end");
    if (end !== undefined && end.action.kind === "end") this.endMatch({ winner: end.action.winner });
  }
}
