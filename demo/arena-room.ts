import { z } from "zod";
import { LockstepRoom, type ClosedFrame, type LockstepOptionsInput, type LockstepPlayer } from "colyseus-lockstep";
import { PLAY_ALONE_OPTION } from "./play-alone.ts";

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
 * The demo room's settings: 20 Hz, 2 to 4 players (1 in a room created to play alone), states checked every 30 frames (1.5 s), and
 * every 200 frames (10 s) an agreed state becomes the snapshot a reloading page starts from.
 */
export const ARENA_SETTINGS: LockstepOptionsInput = {
  frameRate: 20,
  minPlayers: 2,
  maxPlayers: 4,
  lateJoin: false,
  checksumInterval: 30,
  snapshotIntervalFrames: 200,
};

export { PLAY_ALONE_OPTION } from "./play-alone.ts";

/**
 * The demo room served by `npm start`: squares stepping on a grid and collecting coins, 2 to 4
 * players, starting once at least two are present and every one of them is ready; a room
 * created with `{ alone: true }` is one player's, and starts when they are ready. The server
 * only relays and validates; the game itself runs in every browser (see `web/arena-sim.ts`).
 */
export class ArenaRoom extends LockstepRoom<ArenaAction> {
  override lockstep: LockstepOptionsInput = ARENA_SETTINGS;
  override actionSchema = arenaActionSchema;
  #alone = false;

  override onCreate(options?: Record<string, unknown>): void | Promise<unknown> {
    this.#alone = options?.[PLAY_ALONE_OPTION] === true;
    const created = super.onCreate(options);
    // One seat: matchmaking sends nobody else here, and joining it by code says it is full.
    if (this.#alone) this.maxClients = 1;
    return created;
  }

  /** Everyone present is ready, and there are at least two of them (or one, in a room created to play alone). */
  override canStart(players: readonly LockstepPlayer[]): boolean {
    return players.length >= (this.#alone ? 1 : this.settings.minPlayers) && players.every((player) => player.ready);
  }

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

/** Settings of the demo room an operator may change (see `startDemoServer`'s `arena`). */
export type ArenaSettings = Pick<LockstepOptionsInput, "snapshotIntervalFrames">;

/** The demo room with `settings` over its own (the class itself when there are none). */
export function arenaRoomWith(settings: ArenaSettings | undefined): typeof ArenaRoom {
  if (settings === undefined || Object.keys(settings).length === 0) return ArenaRoom;
  return class ConfiguredArenaRoom extends ArenaRoom {
    override lockstep: LockstepOptionsInput = { ...ARENA_SETTINGS, ...settings };
  };
}
