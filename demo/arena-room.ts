import { z } from "zod";
import { LockstepRoom, type ClosedFrame, type LockstepOptionsInput } from "colyseus-lockstep";

/** The demo's inputs: a step on the grid, or ending the match for everyone. */
export const arenaActionSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("move"),
    dx: z.number().int().min(-1).max(1),
    dy: z.number().int().min(-1).max(1),
  }),
  z.object({ type: z.literal("end") }),
]);

/** An action of the demo game. */
export type ArenaAction = z.infer<typeof arenaActionSchema>;

/**
 * The demo room served by `npm start`: squares stepping on a grid and collecting coins,
 * 1 to 4 players, starting as soon as everyone present is ready. The server only relays and
 * validates; the game itself runs in every browser (see `web/arena-sim.ts`).
 */
export class ArenaRoom extends LockstepRoom<ArenaAction> {
  override lockstep: LockstepOptionsInput = { frameRate: 20, minPlayers: 1, maxPlayers: 4, lateJoin: false };
  override actionSchema = arenaActionSchema;

  /** Standing still is not an action: refusing it keeps frames empty when nobody moves. */
  override validateAction(action: ArenaAction): true | string {
    if (action.type === "move" && action.dx === 0 && action.dy === 0) return "a move must change position";
    return true;
  }

  /** Any player may end the match; it ends once the frame carrying the request is out. */
  override onFrameClosed(frame: ClosedFrame<ArenaAction>): void {
    const request = frame.actions.find((entry) => entry.action.type === "end");
    if (request !== undefined) this.endMatch({ endedBy: request.uid, frame: frame.frame });
  }
}
