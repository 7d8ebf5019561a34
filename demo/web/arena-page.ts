import { LockstepClient, hashState, type AuthSession, type LockstepMatch, type MatchInfo, type PlayerInfo, type RunHandle } from "colyseus-lockstep-client";
import type { ArenaRoom } from "../arena-room.ts";
import { ArenaBoard, colorOf } from "./arena-board.ts";
import { ArenaGame } from "./arena-game.ts";
import { DesyncSwitch } from "./desync-switch.ts";
import { ReplayPanel } from "./replay-panel.ts";
import { SyncPanel } from "./sync-panel.ts";

const KEYS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
  a: [-1, 0],
  d: [1, 0],
  w: [0, -1],
  s: [0, 1],
};

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const board = new ArenaBoard(element<HTMLCanvasElement>("board"));

/** The page keeps its login across reloads in this localStorage key. */
const TOKEN_KEY = "lockstep-demo-token";

// With snapshots, a page that comes back to its match starts from the latest verified state, not frame 0.
const client = new LockstepClient(window.location.origin, { snapshots: true });
const syncPanel = new SyncPanel(element);
const replayPanel = new ReplayPanel(element, board);
// Off unless the page was opened with `?desync=<frame>` (see desync-switch.ts).
const desyncSwitch = DesyncSwitch.fromQuery(window.location.search);
let match: LockstepMatch<ActionOfArena> | undefined;
/** The live match's game, from its start on. */
let game: ArenaGame | undefined;
/** The live match's loop: stopped when the board switches to the replay. */
let liveRun: RunHandle | undefined;
/** The live state's hash once its last frame is stepped (which may be a moment after `match_end`). */
let liveFinalHash: string | undefined;
type ActionOfArena = import("colyseus-lockstep-client").ActionOf<ArenaRoom>;

function show(id: string, text: string): void {
  element(id).textContent = text;
}

function showPlayers(players: readonly PlayerInfo[]): void {
  const list = element("players");
  list.replaceChildren(
    ...players.map((player) => {
      const item = document.createElement("li");
      const score = game?.state.players.find((candidate) => candidate.slot === player.slot)?.score ?? 0;
      item.textContent = `■ ${player.name}${player.uid === match?.you?.uid ? " (you)" : ""} — ${player.ready ? "ready" : "not ready"}${player.connected ? "" : ", reconnecting"} — ${score} coins`;
      item.style.color = colorOf(player.slot);
      return item;
    }),
  );
}

/**
 * Once the match has ended and its last frame is stepped here, records the final hash and
 * offers the replay. Called on `match_end` and after each step, as frames received before the
 * end may still be stepping when it arrives.
 */
function settleFinalState(): void {
  const end = match?.end;
  if (end === undefined || game === undefined || liveFinalHash !== undefined || game.state.frame < end.lastFrame) return;
  liveFinalHash = game.hash;
  show("final-hash", liveFinalHash);
  const watch = element<HTMLButtonElement>("watch-replay");
  watch.disabled = end.replayId === undefined;
  if (end.replayId === undefined) watch.title = "this server keeps no replays";
}

function start(info: MatchInfo): void {
  syncPanel.start(info.checksumInterval);
  show("seed", String(info.seed));
  show("status", "playing");
  element<HTMLButtonElement>("ready").disabled = true;
  element<HTMLButtonElement>("end").disabled = false;
  const live = new ArenaGame(info, board, {
    afterStep: (state) => {
      desyncSwitch?.afterStep(state);
      show("frame", String(state.frame));
      show("hash", hashState(state));
      settleFinalState();
    },
    afterRender: () => {
      showPlayers(match!.players);
      syncPanel.refresh(match!.lastCheckedFrame);
    },
  });
  game = live;
  liveRun?.stop();
  liveRun = match!.run(live.loop, live.checks);
}

/** Switches the board from the ended match to its replay; resolves false (the reason shown) if it cannot be loaded. */
async function watchReplay(): Promise<boolean> {
  const end = match?.end;
  if (end?.replayId === undefined) return false;
  const watch = element<HTMLButtonElement>("watch-replay");
  watch.disabled = true;
  // The live match is over and fully stepped: its loop would only redraw the final state over the replay.
  liveRun?.stop();
  liveRun = undefined;
  show("status", `match over at frame ${end.lastFrame} · watching the replay`);
  const opened = await replayPanel.open(`/replays/${encodeURIComponent(end.replayId)}`, client.token, liveFinalHash);
  if (!opened) watch.disabled = false;
  return opened;
}

function signedIn(session: AuthSession): void {
  localStorage.setItem(TOKEN_KEY, session.token);
  element("account").hidden = true;
  element("session").hidden = false;
  show("who", `${session.user.name}${session.user.anonymous ? " (guest)" : ""}, ${session.user.role}`);
  element<HTMLButtonElement>("join").disabled = match !== undefined;
  show("log", "");
}

function signedOut(): void {
  localStorage.removeItem(TOKEN_KEY);
  element("account").hidden = false;
  element("session").hidden = true;
  element<HTMLButtonElement>("join").disabled = true;
}

function report(error: Error): void {
  show("log", error.message);
}

async function join(): Promise<void> {
  match = await client.joinOrCreate<ArenaRoom>("arena");
  show("status", "waiting for players to be ready");
  element<HTMLButtonElement>("join").disabled = true;
  element<HTMLButtonElement>("ready").disabled = false;
  const refresh = (): void => showPlayers(match!.players);
  match.onEnter(refresh);
  match.onLeave(refresh);
  match.onPrepare(refresh);
  match.onPlayerDrop(refresh);
  match.onPlayerReconnect(refresh);
  match.onStart(start);
  match.onDrop(() => show("status", "connection lost, reconnecting…"));
  match.onReconnect(() => show("status", "playing"));
  match.onEnd((end) => {
    show("status", `match over at frame ${end.lastFrame}`);
    element<HTMLButtonElement>("end").disabled = true;
    settleFinalState();
  });
  match.onError((error) => show("log", `${error.code}: ${error.message}`));
  match.onDesync((notice) => syncPanel.desync(notice, match!.players, match!.you?.uid));
  refresh();
}

function move(dx: number, dy: number): boolean {
  return match?.sendAction({ type: "move", dx, dy }) ?? false;
}

const value = (id: string): string => element<HTMLInputElement>(id).value;
element("login").addEventListener("click", () => client.login(value("email"), value("password")).then(signedIn, report));
element("register").addEventListener("click", () => client.register(value("email"), value("password"), { name: value("name") }).then(signedIn, report));
element("guest").addEventListener("click", () => client.loginAnonymous({ name: value("name") }).then(signedIn, report));
element("logout").addEventListener("click", () => {
  client.logout().catch(report);
  signedOut();
});
element("join").addEventListener("click", () => {
  join().catch(report);
});
// Back from a reload: a still-valid stored token is exchanged for a fresh one.
const storedToken = localStorage.getItem(TOKEN_KEY);
if (storedToken !== null) {
  client.token = storedToken;
  client.refresh().then(signedIn, signedOut);
}
element("ready").addEventListener("click", () => match?.ready());
element("end").addEventListener("click", () => match?.sendAction({ type: "end" }));
element("watch-replay").addEventListener("click", () => {
  watchReplay().catch(report);
});
window.addEventListener("keydown", (event) => {
  const step = KEYS[event.key];
  // Keys typed into a field, or moving the replay's slider or speed list, are not moves.
  const focused = document.activeElement;
  if (step === undefined || focused instanceof HTMLInputElement || focused instanceof HTMLSelectElement) return;
  event.preventDefault();
  move(step[0], step[1]);
});
if (desyncSwitch !== undefined) {
  show(
    "debug-switch",
    `Debug switch on: this tab moves the coin at random at frame ${desyncSwitch.frame}. With two tabs neither is a majority, so both players are named; a third tab singles this one out.`,
  );
  element("debug-switch").hidden = false;
}
board.draw(undefined);

/** Read-only view and controls for automated play (used by the browser test). */
Object.assign(window, {
  arena: {
    join,
    get user() {
      return client.user;
    },
    move,
    get phase() {
      return match?.phase ?? "not joined";
    },
    get slot() {
      return match?.you?.slot;
    },
    get frame() {
      return game?.state.frame;
    },
    get hash() {
      return game?.hash;
    },
    get state() {
      return game?.state;
    },
    /** The live match's final hash, once its last frame is stepped. */
    get liveFinalHash() {
      return liveFinalHash;
    },
    get replayId() {
      return match?.end?.replayId;
    },
    watchReplay,
    /** The open replay (see `ReplayView`), or undefined. */
    get replay() {
      return replayPanel.view;
    },
    toggleReplay: () => replayPanel.togglePlay(),
    setReplaySpeed: (speed: number) => replayPanel.setSpeed(speed),
    seekReplay: (frame: number) => replayPanel.seek(frame),
  },
});
