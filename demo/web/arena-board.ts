import { GRID_SIZE, type ArenaState } from "./arena-sim.ts";

/** Player colours by slot (wrapping past four players); the page's player list uses them too. */
export const PLAYER_COLORS = ["#4fc3f7", "#f06292", "#aed581", "#ffb74d"];

/** The colour of a slot's square. */
export function colorOf(slot: number): string {
  return PLAYER_COLORS[slot % PLAYER_COLORS.length]!;
}

/**
 * The game board: draws an arena state on the page's canvas. It keeps no state of its own, so
 * the live match and a replay draw through the same board, whichever is showing.
 */
export class ArenaBoard {
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #cell: number;

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
    this.#context = canvas.getContext("2d")!;
    this.#cell = canvas.width / GRID_SIZE;
  }

  /** Draws the grid, then the coin and the players of `state` (the empty grid without one). */
  draw(state: ArenaState | undefined): void {
    const context = this.#context;
    const { width, height } = this.#canvas;
    const cell = this.#cell;
    context.fillStyle = "#1b2030";
    context.fillRect(0, 0, width, height);
    context.strokeStyle = "#262d40";
    for (let i = 1; i < GRID_SIZE; i++) {
      context.beginPath();
      context.moveTo(i * cell, 0);
      context.lineTo(i * cell, height);
      context.moveTo(0, i * cell);
      context.lineTo(width, i * cell);
      context.stroke();
    }
    if (state === undefined) return;
    context.fillStyle = "#ffd54f";
    context.beginPath();
    context.arc((state.coin.x + 0.5) * cell, (state.coin.y + 0.5) * cell, cell / 3, 0, Math.PI * 2);
    context.fill();
    for (const player of state.players) {
      context.fillStyle = colorOf(player.slot);
      context.fillRect(player.x * cell + 2, player.y * cell + 2, cell - 4, cell - 4);
    }
  }
}
