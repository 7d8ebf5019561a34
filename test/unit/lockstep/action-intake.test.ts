import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { ActionIntake, type ActionValidator } from "../../../src/lockstep/action-intake.ts";
import { InputQueue } from "../../../src/lockstep/input-queue.ts";
import { resolveLockstepOptions } from "../../../src/lockstep/options.ts";
import type { LockstepPlayer } from "../../../src/lockstep/roster.ts";
import { encodeAction } from "../../../src/protocol/action-codec.ts";
import { LockstepErrorCode } from "../../../src/protocol/messages.ts";

const schema = z.object({ dx: z.number().int().min(-1).max(1) });
type Move = z.infer<typeof schema>;

const player = { uid: "u1", slot: 1, name: "one", sessionId: "s1", ready: true, connected: true } as unknown as LockstepPlayer;

function setup(validate?: ActionValidator<Move>) {
  const options = resolveLockstepOptions({ maxActionBytes: 16, maxActionsPerFrame: 2, maxPlayers: 2, minPlayers: 1 });
  const queue = new InputQueue<Move>(2);
  return { queue, intake: new ActionIntake<Move>(options, queue, schema, validate) };
}

function refusal(result: ReturnType<ActionIntake<Move>["admit"]>) {
  assert.equal(result.accepted, false);
  return result as Extract<typeof result, { accepted: false }>;
}

test("accepts valid actions and queues the exact bytes with the sender's slot and uid", () => {
  const { queue, intake } = setup();
  const bytes = encodeAction({ dx: 1 });
  assert.deepEqual(intake.admit(player, 0, bytes), { accepted: true });
  const [entry] = queue.take();
  assert.ok(entry?.type === "action");
  const { receivedAt, ...queued } = entry;
  assert.deepEqual({ ...queued, payload: Buffer.from(entry.payload) }, { type: "action", slot: 1, uid: "u1", payload: Buffer.from(bytes), action: { dx: 1 } });
  assert.ok(receivedAt > 0 && receivedAt <= performance.now(), "stamped with its arrival, for the input-delay metric");
});

test("with a schema, what is queued is the schema's output: extra keys never reach the other clients", () => {
  const { queue, intake } = setup();
  assert.deepEqual(intake.admit(player, 0, encodeAction({ dx: -1, smuggled: 7 })), { accepted: true });
  const [entry] = queue.take();
  assert.ok(entry?.type === "action");
  assert.deepEqual(Buffer.from(entry.payload), Buffer.from(encodeAction({ dx: -1 })));
  assert.deepEqual(entry.action, { dx: -1 });
});

test("limits: bytes per action and actions per frame, each a strike", () => {
  const { queue, intake } = setup();
  const large = refusal(intake.admit(player, 0, encodeAction({ dx: 1, pad: "x".repeat(20) })));
  assert.equal(large.error.code, LockstepErrorCode.ACTION_TOO_LARGE);
  assert.equal(large.strike, true);

  assert.equal(intake.admit(player, 0, encodeAction({ dx: 1 })).accepted, true);
  assert.equal(intake.admit(player, 0, encodeAction({ dx: -1 })).accepted, true);
  const third = refusal(intake.admit(player, 0, encodeAction({ dx: 0 })));
  assert.equal(third.error.code, LockstepErrorCode.ACTION_LIMIT_REACHED);
  assert.equal(third.strike, true);

  queue.take();
  assert.equal(intake.admit(player, 1, encodeAction({ dx: 0 })).accepted, true, "the per-frame count resets with the frame");
});

test("malformed msgpack and schema mismatches are refused as strikes", () => {
  const { intake } = setup();
  const malformed = refusal(intake.admit(player, 0, Uint8Array.of(0xd9, 0x05, 0x61)));
  assert.equal(malformed.error.code, LockstepErrorCode.ACTION_MALFORMED);
  assert.equal(malformed.strike, true);
  const invalid = refusal(intake.admit(player, 0, encodeAction({ dx: 5 })));
  assert.equal(invalid.error.code, LockstepErrorCode.ACTION_INVALID);
  assert.match(invalid.error.message, /schema/);
});

test("the game's validateAction hook refuses with its reason, without a strike", () => {
  const seen: [Move, number][] = [];
  const { queue, intake } = setup((action, who, frame) => {
    seen.push([action, frame]);
    assert.equal(who.uid, "u1");
    return action.dx === 0 ? "standing still" : action.dx !== -1;
  });
  const reason = refusal(intake.admit(player, 7, encodeAction({ dx: 0 })));
  assert.equal(reason.error.code, LockstepErrorCode.ACTION_REJECTED);
  assert.equal(reason.error.message, "standing still");
  assert.equal(reason.strike, false);
  assert.equal(refusal(intake.admit(player, 7, encodeAction({ dx: -1 }))).error.code, LockstepErrorCode.ACTION_REJECTED);
  assert.equal(intake.admit(player, 7, encodeAction({ dx: 1 })).accepted, true);
  assert.deepEqual(
    seen.map(([, frame]) => frame),
    [7, 7, 7],
  );
  assert.equal(queue.take().length, 1, "only the accepted action is queued");
});
