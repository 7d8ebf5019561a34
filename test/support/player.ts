import { Client, type Room } from "@colyseus/sdk";
import { decode } from "@colyseus/schema";
import { unpack } from "msgpackr";
import { DEFAULT_EVENT_TIMEOUT_MS, EventLog } from "../../src/testing/event-log.ts";

/** Longest a test waits for an event before failing (a hang would otherwise stall CI). */
export const EVENT_TIMEOUT_MS = DEFAULT_EVENT_TIMEOUT_MS;
import {
  BinaryMessage,
  ControlMessage,
  decodeFrame,
  decodeReloadChunk,
  encodeAction,
  type Frame,
  type LockstepErrorMessage,
  type MatchEndMessage,
  type MatchStartMessage,
  type ReloadResponse,
  type RoomInfoMessage,
} from "../../src/protocol/index.ts";

/** Colyseus's `ROOM_RESPONSE` code (the answer to a request). */
const ROOM_RESPONSE = 22;

/** A received live frame: its exact bytes and their decoding. */
export interface LiveFrame {
  readonly bytes: Uint8Array;
  readonly frame: Frame;
}

/**
 * A test player: a real `@colyseus/sdk` client joined to a lockstep room, recording everything
 * the room sends. Uses the raw SDK, as a game without the project's client SDK would.
 */
export class TestPlayer {
  readonly room: Room;
  readonly frames = new EventLog<LiveFrame>("a frame");
  readonly reloaded = new EventLog<{ requestId: number; final: boolean; frames: Uint8Array[] }>("a reload chunk");
  readonly errors = new EventLog<LockstepErrorMessage>("a lockstep_error");
  readonly infos = new EventLog<RoomInfoMessage>("room_info");
  readonly starts = new EventLog<MatchStartMessage>("match_start");
  readonly ends = new EventLog<MatchEndMessage>("match_end");
  readonly control = new EventLog<{ type: string; message: unknown }>("a control message");
  readonly closes = new EventLog<number>("the room to close");
  /** Answers to requests, including those sent raw (which the SDK itself does not track). */
  readonly responses = new EventLog<{ requestId: number; status: number; payload: unknown }>("a request response");
  /** When each live frame arrived (`performance.now()`), in arrival order. */
  readonly arrivals: number[] = [];

  private constructor(room: Room) {
    this.room = room;
    room.onMessage(BinaryMessage.SYNC_FRAME, (bytes: Uint8Array) => {
      this.arrivals.push(performance.now());
      const copy = bytes.slice();
      this.frames.push({ bytes: copy, frame: decodeFrame(copy) });
    });
    const dispatch = room.connection.events.onmessage!;
    room.connection.events.onmessage = (event: MessageEvent) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (bytes[0] === ROOM_RESPONSE) {
        const it = { offset: 1 };
        const requestId = decode.number(bytes, it) as number;
        const status = bytes[it.offset++]!;
        this.responses.push({ requestId, status, payload: it.offset < bytes.byteLength ? unpack(bytes.subarray(it.offset)) : undefined });
      }
      dispatch(event);
    };
    room.onMessage(BinaryMessage.RELOAD_FRAMES, (bytes: Uint8Array) => {
      const chunk = decodeReloadChunk(bytes.slice());
      this.reloaded.push({ requestId: chunk.requestId, final: chunk.final, frames: [...chunk.frameBytes] });
    });
    room.onMessage(ControlMessage.LOCKSTEP_ERROR, (message: LockstepErrorMessage) => this.errors.push(message));
    room.onMessage(ControlMessage.ROOM_INFO, (message: RoomInfoMessage) => this.infos.push(message));
    room.onMessage(ControlMessage.MATCH_START, (message: MatchStartMessage) => this.starts.push(message));
    room.onMessage(ControlMessage.MATCH_END, (message: MatchEndMessage) => this.ends.push(message));
    for (const type of [
      ControlMessage.ROOM_ENTER,
      ControlMessage.ROOM_LEAVE,
      ControlMessage.ROOM_PREPARE,
      ControlMessage.ROOM_DROP,
      ControlMessage.ROOM_RECONNECT,
    ]) {
      room.onMessage(type, (message: unknown) => this.control.push({ type, message }));
    }
    room.onLeave((code: number) => this.closes.push(code));
  }

  /** Joins (or creates) a room of `roomName` on the server at `url`. */
  static async join(url: string, roomName: string, options: Record<string, unknown> = {}): Promise<TestPlayer> {
    const room = await new Client(url).joinOrCreate(roomName, options);
    return new TestPlayer(room);
  }

  /** Joins a specific room by id. */
  static async joinById(url: string, roomId: string, options: Record<string, unknown> = {}): Promise<TestPlayer> {
    const room = await new Client(url).joinById(roomId, options);
    return new TestPlayer(room);
  }

  /** Own slot, from `room_info`. */
  async slot(): Promise<number> {
    return (await this.infos.wait()).you.slot;
  }

  /** Sends bytes as they are, bypassing the SDK's framing (see `raw-messages.ts`). */
  raw(bytes: Uint8Array): void {
    this.room.connection.send(bytes);
  }

  ready(): void {
    this.room.send(ControlMessage.ROOM_PREPARE);
  }

  /** Sends an action in the binary form (msgpack bytes). */
  act(action: unknown): void {
    this.room.sendBytes(BinaryMessage.SYNC_ACTION, encodeAction(action));
  }

  /** Waits until the frame numbered `frame` has arrived live. */
  waitForFrame(frame: number, timeoutMs?: number): Promise<LiveFrame> {
    return this.frames.wait((live) => live.frame.frame >= frame, timeoutMs);
  }

  /** Waits for the first live frame containing an action of `slot` whose payload equals `payload`. */
  waitForAction(slot: number, payload: Uint8Array): Promise<LiveFrame> {
    return this.frames.wait((live) => live.frame.entries.some((entry) => entry.type === "action" && entry.slot === slot && sameBytes(entry.payload, payload)));
  }

  /** Asks for frames with `room.request` and collects the chunks of the answer. */
  async reload(startFrame: number, endFrame?: number, requestId = 1): Promise<{ response: ReloadResponse; frames: Uint8Array[] }> {
    const before = this.reloaded.items.length;
    const response = (await this.room.request(ControlMessage.SYNC_REQUEST_RELOAD_FRAMES, {
      start_frame: startFrame,
      ...(endFrame !== undefined ? { end_frame: endFrame } : {}),
      request_id: requestId,
    })) as ReloadResponse;
    // Chunks are sent before the response on the same socket, so they have all arrived.
    const chunks = this.reloaded.items.slice(before).filter((chunk) => chunk.requestId === requestId);
    return { response, frames: chunks.flatMap((chunk) => chunk.frames) };
  }

  /** Live frames' bytes from `from` to `to` inclusive. */
  liveBytes(from: number, to: number): Uint8Array[] {
    return this.frames.items.filter((live) => live.frame.frame >= from && live.frame.frame <= to).map((live) => live.bytes);
  }
}

/** True if two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Hex of a byte array, for readable assertion failures. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
