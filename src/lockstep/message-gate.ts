import { ClientState, Protocol, ResponseStatus, getMessageBytes, logger, type Client, type Room } from "@colyseus/core";
import { ColyseusCode, ColyseusEnvelope, readEnvelope } from "../protocol/colyseus-envelope.ts";
import { assertPlainMsgpack } from "../protocol/plain-msgpack.ts";
import { LockstepErrorCode, type LockstepErrorMessage } from "../protocol/messages.ts";
import type { ClientPolicy, RequestReply } from "./client-policy.ts";
import { hasMessageHandler, interceptClientMessages } from "./colyseus-internals.ts";

/** Colyseus files raw-bytes handlers under this prefix of their type. */
const BYTES_HANDLER_PREFIX = "_$b";
/** `@colyseus/sdk` sends objects as msgpackr records (defined within each message): accepted, as plain data. */
const SDK_PAYLOADS = { msgpackrRecords: true } as const;
/** Colyseus's catch-all handler key (a room that registers one takes every unknown type itself). */
const CATCH_ALL = "*";

/** A binary message type the gate hands straight to its handler (see {@link MessageGate.handleBytes}). */
interface DirectHandler {
  /** The type as Colyseus names it in errors (decimal). */
  readonly name: string;
  readonly handle: (client: Client, payload: Uint8Array) => void;
}

/** Direct types are single-byte msgpack fixints in the envelope: `[ROOM_DATA_BYTES][type]`. */
const MAX_DIRECT_TYPE = 0x7f;

/** A refusal at the gate: what to tell the client; every one of them is a strike. */
function malformed(message: string, type?: string): LockstepErrorMessage {
  return { code: LockstepErrorCode.MESSAGE_MALFORMED, message, ...(type !== undefined ? { type } : {}) };
}

/**
 * The first thing every message a client sends to a lockstep room meets, before Colyseus
 * decodes it (see `colyseus-internals.ts`). In order, cheapest first:
 *
 * 1. messages of a session that is closed, kicked or closed as abusive are dropped unread;
 * 2. every message counts against the client's rate, whatever its type (pings, requests of
 *    unknown types and malformed bytes included): over the rate it is dropped with `RATE_LIMITED`;
 *    only a well-formed leave passes over the rate, so that a client can always go;
 * 3. the envelope must be one a Colyseus client produces, the type must have a handler
 *    (`MESSAGE_UNKNOWN` otherwise), and a msgpack payload must be plain data
 *    (`MESSAGE_MALFORMED` otherwise: this is what keeps cyclic or exotic msgpackr values, which
 *    Colyseus's decoder would build, out of the room);
 * 4. Colyseus's dispatch runs inside a try/catch: a throw becomes `MESSAGE_FAILED`.
 *
 * Every refusal is a strike; a client out of strikes is closed as abusive (4429). A refusal of a
 * `room.request` is its rejection, so the client's promise settles.
 *
 * The room's hot message, the binary action, skips Colyseus's dispatch altogether (see
 * {@link MessageGate.handleBytes}): it is one fixed header the gate recognizes from its first
 * two bytes, and what Colyseus would do next (decode the type again, build a handler key,
 * emit through an event bus with a rest-argument array) costs more than the room's own work
 * on an action, for nothing a lockstep room needs.
 */
export class MessageGate {
  readonly #room: Room;
  readonly #policy: ClientPolicy;
  readonly #envelope = new ColyseusEnvelope();
  readonly #direct: (DirectHandler | undefined)[] = [];

  private constructor(room: Room, policy: ClientPolicy) {
    this.#room = room;
    this.#policy = policy;
  }

  /** Puts a gate in front of every message sent to `room`. Call in `onCreate`, before anyone joins. */
  static install(room: Room, policy: ClientPolicy): MessageGate {
    const gate = new MessageGate(room, policy);
    interceptClientMessages(room, (client, buffer, dispatch) => gate.#receive(client, buffer, dispatch));
    return gate;
  }

  /**
   * Hands binary messages of `type` (0..127) straight to `handler` once the gate has counted
   * them against the sender's rate, without Colyseus's decoding and dispatch: the handler gets
   * the payload, a view of the received bytes. A throw is a `MESSAGE_FAILED` refusal, as for
   * any handler. Colyseus's own per-message work is skipped for these messages: its
   * `maxMessagesPerSecond` (the gate's rate limit replaces it) and `client._lastMessageTime`
   * (written, read nowhere in Colyseus 0.18).
   */
  handleBytes(type: number, handler: (client: Client, payload: Uint8Array) => void): void {
    if (!Number.isInteger(type) || type < 0 || type > MAX_DIRECT_TYPE) throw new RangeError(`a direct binary message type must be 0..${MAX_DIRECT_TYPE}`);
    this.#direct[type] = { name: String(type), handle: handler };
  }

  #receive(client: Client, buffer: Buffer, dispatch: (client: Client, buffer: Buffer) => void): void {
    if (buffer[0] === ColyseusCode.ROOM_DATA_BYTES && buffer.byteLength >= 2) {
      const direct = buffer[1]! <= MAX_DIRECT_TYPE ? this.#direct[buffer[1]!] : undefined;
      if (direct !== undefined) {
        this.#receiveDirect(client, buffer, direct);
        return;
      }
    }
    const policy = this.#policy;
    if (!policy.accepts(client.sessionId)) return;
    const envelope = this.#envelope;
    let unreadable: Error | undefined;
    try {
      readEnvelope(buffer, envelope);
    } catch (error) {
      unreadable = error as Error;
    }
    // A request id read before a broken part of the header still lets the refusal settle the request.
    const reply = envelope.requestId !== undefined ? this.#reply(client, envelope.requestId) : undefined;
    // Leaving is never refused for the rate: a client over its budget must still be able to go
    // (its leave ends the connection, so it cannot be used to flood).
    const leaving = unreadable === undefined && envelope.code === ColyseusCode.LEAVE_ROOM && envelope.modifiers === 0;
    if (!leaving && !policy.spend(client, envelope.type ?? "message", reply)) return;
    const refusal = unreadable !== undefined ? malformed(`not a valid message: ${unreadable.message}`) : this.#check(buffer, envelope);
    if (refusal !== undefined) {
      policy.refuse(client, refusal, true, reply);
      return;
    }
    try {
      dispatch(client, buffer);
    } catch (error) {
      logger.error(`lockstep: room ${this.#room.roomId} failed on a message of ${client.sessionId}:`, error);
      const failure: LockstepErrorMessage = {
        code: LockstepErrorCode.MESSAGE_FAILED,
        message: "the room could not process this message",
        ...(envelope.type !== undefined ? { type: envelope.type } : {}),
      };
      policy.refuse(client, failure, true);
    }
  }

  #receiveDirect(client: Client, buffer: Buffer, direct: DirectHandler): void {
    // Colyseus drops what a leaving client still sends; so does the gate.
    if (client.state === ClientState.LEAVING || !this.#policy.spendIfAccepted(client, direct.name)) return;
    try {
      direct.handle(client, buffer.subarray(2));
    } catch (error) {
      logger.error(`lockstep: room ${this.#room.roomId} failed on a message of ${client.sessionId}:`, error);
      this.#policy.refuse(client, { code: LockstepErrorCode.MESSAGE_FAILED, message: "the room could not process this message", type: direct.name }, true);
    }
  }

  /** Why the message must not reach Colyseus, or undefined if it may. */
  #check(buffer: Buffer, envelope: ColyseusEnvelope): LockstepErrorMessage | undefined {
    // Colyseus would mask modifier bits off (so 0x2c would mean "leave"); no lockstep client sets them.
    if (envelope.modifiers !== 0) return malformed(`modifier bits 0x${envelope.modifiers.toString(16)} on message code ${envelope.code}`);
    switch (envelope.code) {
      case ColyseusCode.JOIN_ROOM:
      case ColyseusCode.LEAVE_ROOM:
      case ColyseusCode.PING:
        return undefined;
      case ColyseusCode.ROOM_DATA:
      case ColyseusCode.ROOM_REQUEST: {
        const type = envelope.type!;
        // Colyseus answers a request only from the type's own handler, never from a catch-all.
        const handled = hasMessageHandler(this.#room, type) || (envelope.code === ColyseusCode.ROOM_DATA && hasMessageHandler(this.#room, CATCH_ALL));
        if (!handled) return { code: LockstepErrorCode.MESSAGE_UNKNOWN, type, message: `this room has no "${type}" message` };
        if (envelope.payloadOffset < buffer.byteLength) {
          try {
            assertPlainMsgpack(buffer, envelope.payloadOffset, buffer.byteLength, SDK_PAYLOADS);
          } catch (error) {
            return malformed(`the payload is not plain msgpack data: ${(error as Error).message}`, type);
          }
        }
        return undefined;
      }
      case ColyseusCode.ROOM_DATA_BYTES: {
        const type = envelope.type!;
        if (hasMessageHandler(this.#room, BYTES_HANDLER_PREFIX + type) || hasMessageHandler(this.#room, CATCH_ALL)) return undefined;
        return { code: LockstepErrorCode.MESSAGE_UNKNOWN, type, message: `this room has no binary message ${type}` };
      }
      default:
        return { code: LockstepErrorCode.MESSAGE_UNKNOWN, message: `message code ${envelope.code} is not used by lockstep rooms` };
    }
  }

  /** Rejects request `requestId` the way Colyseus's own `ctx.reject` does. */
  #reply(client: Client, requestId: number): RequestReply {
    return {
      id: requestId,
      reject: (reason) => client.enqueueRaw(getMessageBytes[Protocol.ROOM_RESPONSE](requestId, ResponseStatus.REJECTED, reason)),
    };
  }
}
