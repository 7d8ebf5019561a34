import { z } from "zod";
import { LockstepRoom } from "../lockstep/lockstep-room.ts";
import type { LockstepOptionsInput } from "../lockstep/options.ts";

/** The demo's only input: a step on the grid. */
export const arenaActionSchema = z.object({
  type: z.literal("move"),
  dx: z.number().int().min(-1).max(1),
  dy: z.number().int().min(-1).max(1),
});

/** An action of the demo game. */
export type ArenaAction = z.infer<typeof arenaActionSchema>;

/**
 * The demo room served by `npm start`: squares stepping on a grid, 1 to 4 players,
 * starting as soon as everyone present is ready.
 */
export class ArenaRoom extends LockstepRoom<ArenaAction> {
  override lockstep: LockstepOptionsInput = { frameRate: 20, minPlayers: 1, maxPlayers: 4, lateJoin: false };
  override actionSchema = arenaActionSchema;

  /** Standing still is not an action: refusing it keeps frames empty when nobody moves. */
  override validateAction(action: ArenaAction): true | string {
    return action.dx !== 0 || action.dy !== 0 ? true : "a move must change position";
  }
}
