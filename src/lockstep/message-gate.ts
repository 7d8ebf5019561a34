import { Protocol, ResponseStatus, getMessageBytes, logger, type Client, type Room } from "@colyseus/core";
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
 * 3. the envelope must be one a Colyseus client produces, the type must have a handler
 *    (`MESSAGE_UNKNOWN` otherwise), and a msgpack payload must be plain data
 *    (`MESSAGE_MALFORMED` otherwise: this is what keeps cyclic or exotic msgpackr values, which
 *    Colyseus's decoder would build, out of the room);
 * 4. Colyseus's dispatch runs inside a try/catch: a throw becomes `MESSAGE_FAILED`.
 *
 * Every refusal is a strike; a client out of strikes is closed as abusive (4429). A refusal of a
 * `room.request` is its rejection, so the client's promise settles.
 */
export class MessageGate {
  readonly #room: Room;
  readonly #policy: ClientPolicy;
  readonly #envelope = new ColyseusEnvelope();

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

  #receive(client: Client, buffer: Buffer, dispatch: (client: Client, buffer: Buffer) => void): void {
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
    if (!policy.spend(client, envelope.type ?? "message", reply)) return;
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
