import assert from "node:assert/strict";
import { test } from "node:test";
import { PHASE_SLOTS, PhaseBalancer } from "../../../src/lockstep/phase-balancer.ts";

test("rooms created at the same instant get deadlines spread evenly over the period", () => {
  const balancer = new PhaseBalancer();
  const period = 1000 / 30;
  const now = 12_345.678;
  const leases = Array.from({ length: PHASE_SLOTS * 2 }, () => balancer.acquire(30, now));
  for (const lease of leases) {
    assert.ok(lease.startAt >= now && lease.startAt < now + period, "no room waits more than a period");
  }
  const phases = leases.map((lease) => Math.round(((lease.startAt % period) / period) * PHASE_SLOTS) % PHASE_SLOTS);
  const perSlot = Array.from({ length: PHASE_SLOTS }, (_, slot) => phases.filter((phase) => phase === slot).length);
  assert.deepEqual(perSlot, new Array(PHASE_SLOTS).fill(2), "two rooms per slot");
  assert.deepEqual(balancer.loadOf(30), new Array(PHASE_SLOTS).fill(2));
});

test("released slots are reused first; other frame rates have their own slots", () => {
  const balancer = new PhaseBalancer();
  const first = balancer.acquire(20, 0);
  balancer.acquire(20, 0);
  first.release();
  first.release();
  assert.equal(
    balancer.loadOf(20).reduce((sum, count) => sum + count, 0),
    1,
    "release is idempotent",
  );
  assert.equal(balancer.acquire(20, 0).startAt, first.startAt, "the freed slot is the least loaded");
  assert.equal(
    balancer.loadOf(60).reduce((sum, count) => sum + count, 0),
    0,
  );
});
