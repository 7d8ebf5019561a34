// Compile-time test (checked by `npm run typecheck`, part of `npm test`): the action type of the
// server's room flows to the client's sendAction and onFrame.
import type { ArenaRoom } from "../../demo/arena-room.ts";
import { loadReplay, type ActionOf, type LockstepClient, type LockstepMatch, type MatchFeed } from "../src/index.ts";

declare const client: LockstepClient;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const actionOfRoom: Equal<ActionOf<ArenaRoom>, { type: "move"; dx: number; dy: number } | { type: "end" }> = true;
const actionOfPlainType: Equal<ActionOf<{ jump: boolean }>, { jump: boolean }> = true;
void actionOfRoom;
void actionOfPlainType;

export async function typedFromServerRoom(): Promise<void> {
  const match = await client.joinOrCreate<ArenaRoom>("arena");
  match.sendAction({ type: "move", dx: 1, dy: 0 });
  match.sendAction({ type: "end" });
  // @ts-expect-error: dx must be a number
  match.sendAction({ type: "move", dx: "1", dy: 0 });
  // @ts-expect-error: the room has no "jump" action
  match.sendAction({ type: "jump" });
  match.onFrame((frame) => {
    for (const { action } of frame.actions) {
      if (action.type === "move") {
        const dx: number = action.dx;
        void dx;
      }
    }
  });
  const typed: LockstepMatch<ActionOf<ArenaRoom>> = match;
  void typed;
}

/** Game code written once against `MatchFeed`: a live match and a replay are both one, with the room's action type. */
function playArena(feed: MatchFeed<ActionOf<ArenaRoom>>): void {
  feed.onStart(() => {
    feed.run({
      step: (frame) => {
        for (const { action } of frame.actions) if (action.type === "move") void action.dx;
      },
    });
  });
}

export async function liveAndReplayRunTheSameCode(): Promise<void> {
  playArena(await client.joinOrCreate<ArenaRoom>("arena"));
  playArena(await loadReplay<ActionOf<ArenaRoom>>(new Uint8Array()));
  // @ts-expect-error: a replay of another game's actions is not this game's feed
  playArena(await loadReplay<{ jump: boolean }>(new Uint8Array()));
}
