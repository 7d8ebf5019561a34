import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Role } from "../../src/accounts/roles.ts";
import { EmailTakenError, type UserStore } from "../../src/accounts/user-store.ts";

/**
 * The contract every {@link UserStore} backend must meet. Each backend's test file calls this
 * with a factory; the suite is identical for the embedded database and PostgreSQL.
 */
export function userStoreContract(name: string, open: () => Promise<UserStore>, options: { skip?: string } = {}): void {
  let store: UserStore;
  const skip = options.skip;
  before(async () => {
    if (skip === undefined) store = await open();
  });
  after(async () => {
    await store?.close();
  });

  test(`${name}: creates users and finds them by id and by email, ignoring case`, { skip }, async () => {
    const created = await store.create({ email: "Ada@Example.com", passwordHash: "scrypt$aa$bb", name: "Ada" });
    assert.equal(created.email, "ada@example.com");
    assert.equal(created.role, Role.PLAYER);
    assert.equal(created.anonymous, false);
    assert.equal(created.tokenVersion, 0);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.ok(created.createdAt instanceof Date && !Number.isNaN(created.createdAt.getTime()));
    assert.deepEqual(await store.findById(created.id), created);
    assert.deepEqual(await store.findByEmail("ADA@example.COM"), created);
    assert.equal(await store.findByEmail("nobody@example.com"), undefined);
    assert.equal(await store.findById("00000000-0000-0000-0000-000000000000"), undefined);
  });

  test(`${name}: refuses a second account with the same email`, { skip }, async () => {
    await store.create({ email: "twice@example.com", passwordHash: "h", name: "one" });
    await assert.rejects(store.create({ email: "TWICE@example.com", passwordHash: "h", name: "two" }), EmailTakenError);
  });

  test(`${name}: guests need no email, and many can exist`, { skip }, async () => {
    const [a, b] = await Promise.all([store.create({ name: "Guest-1", anonymous: true }), store.create({ name: "Guest-2", anonymous: true })]);
    assert.notEqual(a.id, b.id);
    assert.equal(a.email, null);
    assert.equal(a.anonymous, true);
  });

  test(`${name}: a registered user must have an email and a password hash`, { skip }, async () => {
    await assert.rejects(store.create({ name: "incomplete" }));
  });

  test(`${name}: role changes and revocations bump the token version`, { skip }, async () => {
    const user = await store.create({ email: "grace@example.com", passwordHash: "h", name: "Grace" });
    const promoted = await store.setRole(user.id, Role.ADMIN);
    assert.equal(promoted?.role, Role.ADMIN);
    assert.equal(promoted?.tokenVersion, 1);
    assert.equal(await store.revokeTokens(user.id), 2);
    assert.equal((await store.findById(user.id))?.tokenVersion, 2);
    assert.equal(await store.setRole("00000000-0000-0000-0000-000000000000", Role.ADMIN), undefined);
    assert.equal(await store.revokeTokens("00000000-0000-0000-0000-000000000000"), undefined);
  });

  test(`${name}: counts users`, { skip }, async () => {
    const before = await store.count();
    await store.create({ name: "one more", anonymous: true });
    assert.equal(await store.count(), before + 1);
  });
}
