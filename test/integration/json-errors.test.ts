import assert from "node:assert/strict";
import { test } from "node:test";
import { createLockstepServer } from "../../src/server/create-server.ts";
import { call } from "../support/http.ts";

/** A stack trace or an HTML error page in a response body. */
const LEAK = /\n\s+at |<html|<pre>|node_modules/i;

test("an unexpected error in a route is answered 500 internal_error as JSON, without its message or stack", async () => {
  const failing = await createLockstepServer({
    port: 0,
    host: "127.0.0.1",
    rooms: {},
    routes: (app) => {
      app.get("/fails", () => {
        throw new Error("secret detail from /srv/app/config.ts");
      });
    },
  });
  try {
    const response = await call(failing.url, "/fails");
    assert.deepEqual([response.status, response.body.error], [500, "internal_error"]);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    assert.doesNotMatch(response.text, /secret detail|\/srv\/app/);
    assert.doesNotMatch(response.text, LEAK);
  } finally {
    await failing.close();
  }
});
