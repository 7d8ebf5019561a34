import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenBucket } from "../../../src/lockstep/token-bucket.ts";

test("allows a burst, refuses past it, refills at the rate", () => {
  const bucket = new TokenBucket(10, 3, 0);
  assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
  assert.equal(bucket.msUntilToken(0), 100);
  assert.equal(bucket.take(50), false, "half a token is not a token");
  assert.equal(bucket.take(100), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), false, "refill never exceeds the burst");
});
