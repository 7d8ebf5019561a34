import type { DesyncNotice, PlayerInfo } from "colyseus-lockstep-client";

/** Finds one of the page's elements by id. */
export type ElementLookup = (id: string) => HTMLElement;

/** What the status line says of a match's state checks. */
function statusText(checksOn: boolean, lastChecked: number | undefined, desync: DesyncNotice | undefined): string {
  if (!checksOn) return "not checked (checks are off in this room)";
  const checked = lastChecked === undefined ? "no frame checked yet" : `checked frame ${lastChecked}`;
  return desync === undefined ? `${checked} · in sync` : `${checked} · out of sync since frame ${desync.frame}`;
}

/** Player names for uids; a player who has left since is shown by uid. */
function namesOf(uids: readonly string[], players: readonly PlayerInfo[], you: string | undefined): string {
  const names = new Map(players.map((player) => [player.uid, player.name]));
  return uids.map((uid) => `${names.get(uid) ?? uid}${uid === you ? " (you)" : ""}`).join(", ");
}

/**
 * The page's view of desync detection: the status line (`#sync-status`) and, once the server
 * announces a desync, the report box (`#desync-report`). The status line is refreshed from the
 * render loop but only written when the checked frame changes (once per checksum interval),
 * so the page does not touch the DOM every frame.
 */
export class SyncPanel {
  readonly #element: ElementLookup;
  #checksOn = true;
  #shownChecked: number | undefined;
  #desync: DesyncNotice | undefined;

  constructor(element: ElementLookup) {
    this.#element = element;
  }

  /** The match started; `checksumInterval` 0 means the room does not check states. */
  start(checksumInterval: number): void {
    this.#checksOn = checksumInterval > 0;
    this.#shownChecked = undefined;
    this.#write();
  }

  /** Call from the render loop with `match.lastCheckedFrame`: cheap when nothing changed. */
  refresh(lastChecked: number | undefined): void {
    if (lastChecked === this.#shownChecked) return;
    this.#shownChecked = lastChecked;
    this.#write();
  }

  /** The server announced a desync: fills the report box, naming players by the roster's names. */
  desync(notice: DesyncNotice, players: readonly PlayerInfo[], you: string | undefined): void {
    this.#desync = notice;
    this.#write();
    const set = (id: string, text: string): void => {
      this.#element(id).textContent = text;
    };
    set("desync-frame", `${notice.frame} (${notice.last_good_frame === null ? "no frame agreed before it" : `last good frame: ${notice.last_good_frame}`})`);
    // Without a majority the server cannot tell who is wrong, so every player is named.
    set("desync-outliers", `${namesOf(notice.outliers, players, you)}${notice.reference === null ? " — no majority" : ""}`);
    set("desync-parts", notice.parts.length === 0 ? "the whole state (hashed as one value)" : notice.parts.join(", "));
    set("desync-id", notice.id);
    this.#element("desync-report").hidden = false;
  }

  #write(): void {
    this.#element("sync-status").textContent = statusText(this.#checksOn, this.#shownChecked, this.#desync);
  }
}
