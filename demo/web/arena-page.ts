import { LockstepClient, hashState, type AuthSession, type LockstepMatch, type MatchInfo, type PlayerInfo, type RunHandle } from "colyseus-lockstep-client";
import type { ArenaRoom } from "../arena-room.ts";
import { PLAY_ALONE_OPTION } from "../play-alone.ts";
import { ArenaBoard, colorOf } from "./arena-board.ts";
import { ArenaGame } from "./arena-game.ts";
import { DesyncSwitch } from "./desync-switch.ts";
import { ReplayPanel } from "./replay-panel.ts";
import { closeNotice, joinFailure } from "./room-messages.ts";
import { TabSession } from "./tab-session.ts";
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

// Each tab keeps its own login and seat (sessionStorage): two tabs are two players, and a reloaded tab returns to its match.
const tab = new TabSession();

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

/** True while this tab is in a room (waiting, playing, or just ended and not closed yet). */
const inRoom = (): boolean => match !== undefined && match.phase !== "closed";
/** Set while a join or a return to this tab's seat is under way: a second click must not join a second room. */
let joining = false;

/** Enables what can be done now: the lobby when signed in and in no room, the match buttons in one. */
function refreshControls(): void {
  const signedIn = client.user !== undefined;
  const free = signedIn && !inRoom() && !joining;
  element("lobby").hidden = !signedIn;
  for (const id of ["join", "create-room", "play-alone", "join-code"]) element<HTMLButtonElement>(id).disabled = !free;
  element<HTMLButtonElement>("ready").disabled = match?.phase !== "waiting" || match.players.find((player) => player.uid === match?.you?.uid)?.ready === true;
  element<HTMLButtonElement>("end").disabled = match?.phase !== "running";
  element<HTMLButtonElement>("leave").disabled = !inRoom();
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
  show("status", info.snapshot === undefined ? "playing" : `playing (back from frame ${info.snapshot.frame})`);
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
  refreshControls();
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
  const ended = match;
  const opened = await replayPanel.open(`/replays/${encodeURIComponent(end.replayId)}`, client.token, liveFinalHash);
  // Offered again after a failure, unless another match is on the board by now.
  if (!opened && match === ended) watch.disabled = false;
  return opened;
}

function signedIn(session: AuthSession): void {
  tab.token = session.token;
  element("account").hidden = true;
  element("session").hidden = false;
  show("who", `${session.user.name}${session.user.anonymous ? " (guest)" : ""}, ${session.user.role}`);
  show("log", "");
  refreshControls();
}

function signedOut(): void {
  tab.token = undefined;
  element("account").hidden = false;
  element("session").hidden = true;
  refreshControls();
}

function report(error: Error): void {
  show("log", error.message);
}

/** Keeps what this tab needs to take its seat back after a reload (the token changes when the SDK reconnects). */
function rememberSeat(): void {
  if (match !== undefined && inRoom()) tab.seat = { roomId: match.roomId, reconnectionToken: match.room.reconnectionToken };
}

/** Shows `joined` (a new room, or the seat taken back after a reload) and follows it until it closes. */
function enter(joined: LockstepMatch<ActionOfArena>, how: string): void {
  // The board is the new match's: a replay of the last one stops drawing on it.
  replayPanel.close();
  liveRun?.stop();
  liveRun = undefined;
  game = undefined;
  liveFinalHash = undefined;
  match = joined;
  for (const id of ["frame", "hash", "seed", "final-hash"]) show(id, "–");
  element<HTMLButtonElement>("watch-replay").disabled = true;
  show("room-code", joined.roomId);
  show("status", joined.phase === "running" ? "catching up" : "waiting for everyone present (at least two) to be ready");
  show("log", how);
  rememberSeat();
  const refresh = (): void => {
    showPlayers(joined.players);
    refreshControls();
  };
  joined.onEnter(refresh);
  joined.onLeave(refresh);
  joined.onPrepare(refresh);
  joined.onPlayerDrop(refresh);
  joined.onPlayerReconnect(refresh);
  joined.onStart(start);
  joined.onDrop(() => show("status", "connection lost, reconnecting…"));
  joined.onReconnect(() => {
    rememberSeat();
    show("status", joined.phase === "running" ? "playing" : "waiting for everyone present (at least two) to be ready");
  });
  joined.onEnd((end) => {
    tab.seat = undefined;
    show("status", `match over at frame ${end.lastFrame}`);
    settleFinalState();
    refreshControls();
  });
  joined.onClose((code, reason) => {
    if (match !== joined) return;
    tab.seat = undefined;
    const ended = joined.end !== undefined;
    if (!ended) show("status", closeNotice(code, reason, false));
    show("log", ended ? "Play again: create or join a room." : `${closeNotice(code, reason, false)}. Back in the lobby.`);
    refreshControls();
  });
  joined.onError((error) => show("log", error.message));
  joined.onDesync((notice) => syncPanel.desync(notice, joined.players, joined.you?.uid));
  refresh();
}

/** Joins through matchmaking, by code, or a new room; says which room it is. */
async function joinRoom(way: "quick" | "create" | "alone" | "code", code?: string): Promise<void> {
  if (inRoom() || joining) return;
  joining = true;
  refreshControls();
  try {
    if (way === "code") {
      const id = (code ?? "").trim();
      if (id === "") throw new Error("type the room code first");
      enter(await client.joinById<ArenaRoom>(id), `You joined room ${id}.`);
    } else if (way === "create" || way === "alone") {
      const created = await client.create<ArenaRoom>("arena", way === "alone" ? { [PLAY_ALONE_OPTION]: true } : {});
      enter(created, way === "alone" ? "Your own room: press Ready to start." : `New room ${created.roomId}: give this code to the other players.`);
    } else {
      const joined = await client.joinOrCreate<ArenaRoom>("arena");
      const alone = joined.players.length <= 1;
      enter(joined, alone ? `Nobody was waiting: you are in a new room, ${joined.roomId}. Give its code to the others.` : `You joined room ${joined.roomId}.`);
    }
  } catch (error) {
    show("log", joinFailure(error, code));
  } finally {
    joining = false;
    refreshControls();
  }
}

/** The "Join" of earlier versions of this page: quick join (the browser tests use it). */
const join = (): Promise<void> => joinRoom("quick");

/** Back from a reload: takes this tab's seat back, or says why it cannot. */
async function returnToSeat(): Promise<void> {
  const seat = tab.seat;
  if (seat === undefined || inRoom() || joining) return;
  joining = true;
  refreshControls();
  show("status", `returning to room ${seat.roomId}…`);
  try {
    enter(await client.reconnect<ArenaRoom>(seat.reconnectionToken), `Back in room ${seat.roomId} after the reload.`);
  } catch (error) {
    tab.seat = undefined;
    show("status", "not joined");
    show("log", `Could not return to room ${seat.roomId}: ${(error as Error).message}. Create or join a room.`);
  } finally {
    joining = false;
    refreshControls();
  }
}

async function leave(): Promise<void> {
  const current = match;
  tab.seat = undefined;
  if (current !== undefined && current.phase !== "closed") await current.leave();
}

function move(dx: number, dy: number): boolean {
  return match?.sendAction({ type: "move", dx, dy }) ?? false;
}

const value = (id: string): string => element<HTMLInputElement>(id).value;
element("login").addEventListener("click", () => client.login(value("email"), value("password")).then(signedIn, report));
element("register").addEventListener("click", () => client.register(value("email"), value("password"), { name: value("name") }).then(signedIn, report));
element("guest").addEventListener("click", () => client.loginAnonymous({ name: value("name") }).then(signedIn, report));
element("logout").addEventListener("click", () => {
  // Logging out leaves the room first: the seat is not left held for a player who is gone.
  leave()
    .catch(report)
    .finally(() => {
      client.logout().catch(report);
      signedOut();
    });
});
element("join").addEventListener("click", () => void joinRoom("quick"));
element("create-room").addEventListener("click", () => void joinRoom("create"));
element("play-alone").addEventListener("click", () => void joinRoom("alone"));
element("join-code").addEventListener("click", () => void joinRoom("code", value("room-code-input")));
element("leave").addEventListener("click", () => {
  leave().catch(report);
});
element("ready").addEventListener("click", () => match?.ready());
element("end").addEventListener("click", () => match?.sendAction({ type: "end" }));
element("watch-replay").addEventListener("click", () => {
  watchReplay().catch(report);
});
// Back from a reload: a still-valid token of this tab is exchanged for a fresh one, then the tab returns to its seat.
const storedToken = tab.token;
if (storedToken !== undefined) {
  client.token = storedToken;
  client
    .refresh()
    .then((session) => {
      signedIn(session);
      return returnToSeat();
    })
    .catch(() => signedOut());
}
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
    createRoom: () => joinRoom("create"),
    playAlone: () => joinRoom("alone"),
    joinByCode: (code: string) => joinRoom("code", code),
    leave,
    /** The room this tab is in (its code), or undefined. */
    get roomCode() {
      return inRoom() ? match?.roomId : undefined;
    },
    /** The page's last message to the player. */
    get notice() {
      return element("log").textContent ?? "";
    },
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
