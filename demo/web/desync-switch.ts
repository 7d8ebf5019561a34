import { GRID_SIZE, type ArenaState } from "./arena-sim.ts";

/** The query parameter of the switch: `?desync=150` makes this tab diverge at frame 150. */
const QUERY_PARAMETER = "desync";
/** Frame numbers the switch accepts: up to nine digits, far past any demo match. */
const FRAME_PATTERN = /^\d{1,9}$/;

/**
 * The demo page's hidden debug switch, so a person can watch desync detection at work: with
 * `?desync=<frame>` in its address, a tab moves the coin to a cell of `Math.random()`'s
 * choosing once it has stepped that frame, something no other tab can reproduce. One nudge
 * is enough: the coin stays apart until someone collects it, and then the scores and the
 * random generator differ as well. Tabs without the parameter never create a switch, and
 * the simulation itself (`arena-sim.ts`) stays deterministic: the switch acts after a step.
 */
export class DesyncSwitch {
  /** The first frame after which this tab's state is no longer the other tabs'. */
  readonly frame: number;
  #fired = false;

  private constructor(frame: number) {
    this.frame = frame;
  }

  /** The switch asked for by a page address's query string (`location.search`), or undefined if it is off or malformed. */
  static fromQuery(search: string): DesyncSwitch | undefined {
    const value = new URLSearchParams(search).get(QUERY_PARAMETER);
    return value !== null && FRAME_PATTERN.test(value) ? new DesyncSwitch(Number(value)) : undefined;
  }

  /** Call after each step: from the switch's frame on, once, moves the coin somewhere else at random. */
  afterStep(state: ArenaState): void {
    if (this.#fired || state.frame < this.frame) return;
    this.#fired = true;
    state.coin = randomOtherCell(state);
  }
}

/** A cell that is neither the coin's nor a player's, so the move is visible and changes the coin's hash. */
function randomOtherCell(state: ArenaState): { x: number; y: number } {
  const taken = [state.coin, ...state.players];
  for (;;) {
    const cell = { x: Math.floor(Math.random() * GRID_SIZE), y: Math.floor(Math.random() * GRID_SIZE) };
    if (!taken.some((other) => other.x === cell.x && other.y === cell.y)) return cell;
  }
}
