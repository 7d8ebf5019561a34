import { LockstepClient, hashState, type AuthSession, type LockstepMatch, type MatchInfo, type PlayerInfo } from "colyseus-lockstep-client";
import type { ArenaRoom } from "../arena-room.ts";
import { GRID_SIZE, createArenaState, stepArena, type ArenaState } from "./arena-sim.ts";
import { DesyncSwitch } from "./desync-switch.ts";
import { SyncPanel } from "./sync-panel.ts";

const COLORS = ["#4fc3f7", "#f06292", "#aed581", "#ffb74d"];
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
const board = element<HTMLCanvasElement>("board");
const context = board.getContext("2d")!;
const cell = board.width / GRID_SIZE;

/** The page keeps its login across reloads in this localStorage key. */
const TOKEN_KEY = "lockstep-demo-token";

const client = new LockstepClient(window.location.origin);
const syncPanel = new SyncPanel(element);
// Off unless the page was opened with `?desync=<frame>` (see desync-switch.ts).
const desyncSwitch = DesyncSwitch.fromQuery(window.location.search);
let match: LockstepMatch<ActionOfArena> | undefined;
let state: ArenaState | undefined;
type ActionOfArena = import("colyseus-lockstep-client").ActionOf<ArenaRoom>;

function show(id: string, text: string): void {
  element(id).textContent = text;
}

function draw(): void {
  context.fillStyle = "#1b2030";
  context.fillRect(0, 0, board.width, board.height);
  context.strokeStyle = "#262d40";
  for (let i = 1; i < GRID_SIZE; i++) {
    context.beginPath();
    context.moveTo(i * cell, 0);
    context.lineTo(i * cell, board.height);
    context.moveTo(0, i * cell);
    context.lineTo(board.width, i * cell);
    context.stroke();
  }
  if (state === undefined) return;
  context.fillStyle = "#ffd54f";
  context.beginPath();
  context.arc((state.coin.x + 0.5) * cell, (state.coin.y + 0.5) * cell, cell / 3, 0, Math.PI * 2);
  context.fill();
  for (const player of state.players) {
    context.fillStyle = COLORS[player.slot % COLORS.length]!;
    context.fillRect(player.x * cell + 2, player.y * cell + 2, cell - 4, cell - 4);
  }
}

function showPlayers(players: readonly PlayerInfo[]): void {
  const list = element("players");
  list.replaceChildren(
    ...players.map((player) => {
      const item = document.createElement("li");
      const score = state?.players.find((candidate) => candidate.slot === player.slot)?.score ?? 0;
      item.textContent = `■ ${player.name}${player.uid === match?.you?.uid ? " (you)" : ""} — ${player.ready ? "ready" : "not ready"}${player.connected ? "" : ", reconnecting"} — ${score} coins`;
      item.style.color = COLORS[player.slot % COLORS.length]!;
      return item;
    }),
  );
}

/** The state's hash, one per top-level part, so a desync report names the part that differs. */
function hashParts(current: ArenaState): Record<keyof ArenaState, string> {
  return { frame: hashState(current.frame), players: hashState(current.players), coin: hashState(current.coin), rng: hashState(current.rng) };
}

function start(info: MatchInfo): void {
  state = createArenaState(info);
  syncPanel.start(info.checksumInterval);
  show("seed", String(info.seed));
  show("status", "playing");
  element<HTMLButtonElement>("ready").disabled = true;
  element<HTMLButtonElement>("end").disabled = false;
  match!.run(
    {
      step: (frame) => {
        stepArena(state!, frame);
        desyncSwitch?.afterStep(state!);
        show("frame", String(state!.frame));
        show("hash", hashState(state));
      },
      render: () => {
        draw();
        showPlayers(match!.players);
        syncPanel.refresh(match!.lastCheckedFrame);
      },
    },
    { hash: () => hashParts(state!), dump: () => state },
  );
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
window.addEventListener("keydown", (event) => {
  const step = KEYS[event.key];
  if (step === undefined || document.activeElement instanceof HTMLInputElement) return;
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
draw();

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
      return state?.frame;
    },
    get hash() {
      return state === undefined ? undefined : hashState(state);
    },
    get state() {
      return state;
    },
  },
});
