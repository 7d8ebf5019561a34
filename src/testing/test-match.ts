import type { LockstepRoom } from "../lockstep/lockstep-room.ts";
import type { ManualClock } from "./manual-clock.ts";
import type { ReceivedFrame, TestClient } from "./test-client.ts";

/** The action type of a lockstep room instance. */
type ActionOf<R> = R extends LockstepRoom<infer A> ? A : unknown;

/**
 * Any lockstep room, whatever its action type: `TAction` is used both in and out (hooks take it,
 * the type marker gives it), so no narrower type argument accepts every room.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above: the only type argument every room satisfies.
export type AnyLockstepRoom = LockstepRoom<any>;

/**
 * A room of the test server and its players. Frames close only when the test says so
 * ({@link advance}): a test is the same every run, and never waits for the wall clock.
 */
export class TestMatch<R extends AnyLockstepRoom = AnyLockstepRoom> {
  /** The server-side room: its phase, players, frame log, and whatever the game's hooks recorded. */
  readonly room: R;
  /** The players, in joining order. */
  readonly players: TestClient<ActionOf<R>>[];
  readonly #clock: ManualClock;

  constructor(room: R, players: TestClient<ActionOf<R>>[], clock: ManualClock) {
    this.room = room;
    this.players = players;
    this.#clock = clock;
  }

  /** Every player says "ready"; resolves once each got `match_start`. */
  async start(): Promise<void> {
    for (const player of this.players) player.ready();
    await Promise.all(this.players.map((player) => player.starts.wait()));
  }

  /**
   * Closes the next `count` frames now, and resolves once every connected player received
   * them, with the frames as the first connected player got them (actions with their
   * sender's uid). What players sent before the call is in the first of them: the server has
   * processed it before the clock moves. The match must be running.
   */
  async advance(count = 1): Promise<ReceivedFrame<ActionOf<R>>[]> {
    if (this.room.phase !== "running") throw new Error(`cannot advance a match that is ${this.room.phase}`);
    await Promise.all(this.players.map((player) => player.flush()));
    const first = this.room.lastFrame + 1;
    for (let closed = 0; closed < count; closed++) {
      if (!this.#clock.fireNext()) throw new Error("the room's frame clock is not running");
    }
    const last = first + count - 1;
    const connected = this.players.filter((player) => player.closes.items.length === 0);
    await Promise.all(connected.map((player) => player.waitForFrame(last)));
    const witness = connected[0];
    return witness === undefined ? [] : witness.frames.items.filter((frame) => frame.frame >= first && frame.frame <= last);
  }

  /** Every player leaves. */
  async leave(): Promise<void> {
    await Promise.all(this.players.map((player) => player.leave()));
  }
}
