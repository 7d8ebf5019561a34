import assert from "node:assert/strict";
import { test } from "node:test";
import { CLOSE_CODE_DESCRIPTIONS, RECOVERABLE_CLOSE_CODES, describeClose } from "../src/close-codes.ts";

test("the server's close reason wins; without one, the code's description; unknown codes by number", () => {
  assert.equal(describeClose(4429, "too many refused messages"), "too many refused messages");
  assert.equal(describeClose(4429, ""), "closed as abusive");
  assert.equal(describeClose(1009), "message too large");
  assert.equal(describeClose(4002), "protocol error");
  assert.equal(describeClose(4000), "left or match over / kicked");
  assert.equal(describeClose(1006), "connection lost");
  assert.equal(describeClose(4999), "closed with code 4999");
});

test("only network loss and hand-over are recoverable, and every code has a description", () => {
  assert.deepEqual([...RECOVERABLE_CLOSE_CODES].sort(), [1001, 1005, 1006, 4010]);
  for (const code of RECOVERABLE_CLOSE_CODES) assert.ok(CLOSE_CODE_DESCRIPTIONS[code], `${code} is described`);
});
