import { hashState, type LockstepClient, type LockstepMatch, type RunHandle } from "../../client-sdk/src/index.ts";
import type { DesyncNotice, DesyncReport } from "../../src/lockstep/desync-report.ts";
import { LockstepRoom } from "../../src/lockstep/lockstep-room.ts";
import type { LockstepOptionsInput } from "../../src/lockstep/options.ts";
import { EventLog } from "../../src/testing/event-log.ts";

/** A toy game whose state has three parts, so a desync can be pinned to one of them. */
export interface ToyState {
  players: number[];
  coins: number;
  rng: number;
}

export function newToyState(players: number): ToyState {
  return { players: new Array(players).fill(0), coins: 0, rng: 12345 };
}

/**
 * One deterministic step. With `cheatFrom`, from that frame on the coins take a random bonus:
 * the player's state diverges in `coins` only.
 */
export function stepToy(state: ToyState, frame: number, cheatFrom?: number): void {
  state.rng = (Math.imul(state.rng, 1103515245) + 12345) >>> 0;
  state.coins += state.rng % 3;
  for (let i = 0; i < state.players.length; i++) state.players[i] = (state.players[i]! + (frame % (i + 2))) % 1000;
  if (cheatFrom !== undefined && frame >= cheatFrom) state.coins += 1 + Math.floor(Math.random() * 1000);
}

/** The toy state's hash, per part. */
export function hashToy(state: ToyState): Record<string, string> {
  return { players: hashState(state.players), coins: hashState(state.coins), rng: hashState(state.rng) };
}

/** Fast checks for tests: 60 Hz, a check every 10 frames; a dropped player leaves at once. */
const FAST_CHECKS: LockstepOptionsInput = { requireAuth: false, frameRate: 60, minPlayers: 3, maxPlayers: 3, checksumInterval: 10, reconnectWindowSeconds: 0 };

/** A room that records its desync notices and reports. */
export class DesyncRoom extends LockstepRoom {
  override lockstep: LockstepOptionsInput = FAST_CHECKS;
  readonly notices = new EventLog<DesyncNotice>("a desync notice");
  readonly reports = new EventLog<DesyncReport>("a desync report");

  override onDesync(notice: DesyncNotice): void {
    this.notices.push(notice);
  }

  override onDesyncReport(report: DesyncReport): void {
    this.reports.push(report);
  }
}

/** Two seats. */
export class PairDesyncRoom extends DesyncRoom {
  override lockstep: LockstepOptionsInput = { ...FAST_CHECKS, minPlayers: 2, maxPlayers: 2 };
}

/** Ends the match on a desync. */
export class EndingDesyncRoom extends DesyncRoom {
  override lockstep: LockstepOptionsInput = { ...FAST_CHECKS, desyncPolicy: "end-match" };
}

/** A player of the toy game through the client SDK: its state, and the desync notices it got. */
export interface ToyPlayer {
  readonly match: LockstepMatch;
  readonly state: ToyState;
  readonly notices: EventLog<DesyncNotice>;
  /** Stops the player's game loop (once the match started) and leaves. */
  quit(): Promise<number>;
}

/**
 * `clients.length` players join one room of `roomName` through the SDK and run the toy game
 * with `run()` once it starts; the player at index `cheater` (if any) diverges from `cheatFrom`.
 */
export async function playToy(clients: readonly LockstepClient[], roomName: string, cheater?: number, cheatFrom?: number): Promise<ToyPlayer[]> {
  const first = await clients[0]!.create(roomName);
  const matches = [first, ...(await Promise.all(clients.slice(1).map((client) => client.joinById(first.roomId))))];
  const players = matches.map((match, index): ToyPlayer => {
    const state = newToyState(clients.length);
    const notices = new EventLog<DesyncNotice>("a desync notice on the client");
    let loop: RunHandle | undefined;
    match.onDesync((notice) => notices.push(notice));
    match.onStart(() => {
      const from = index === cheater ? cheatFrom : undefined;
      loop = match.run({ step: (frame) => stepToy(state, frame.frame, from) }, { hash: () => hashToy(state), dump: () => state, clock: "timer" });
    });
    const quit = (): Promise<number> => {
      loop?.stop();
      return match.leave();
    };
    return { match, state, notices, quit };
  });
  for (const match of matches) match.ready();
  return players;
}
