import assert from "node:assert/strict";
import { test } from "node:test";
import { readableAuthMessage } from "../src/auth-messages.ts";

test("validation codes of the auth routes become sentences; other messages are kept", () => {
  assert.equal(
    readableAuthMessage("[body.email] email_malformed; [body.password] password_too_short"),
    "The email address is not valid; the password must have at least 6 characters",
  );
  assert.equal(readableAuthMessage("[body.email] email_already_in_use"), "An account with this email address exists already");
  assert.equal(readableAuthMessage("[body.nickname] nickname_taken"), "Nickname: nickname taken");
  assert.equal(readableAuthMessage("wrong email or password"), "wrong email or password");
});
