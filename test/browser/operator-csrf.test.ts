import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";

import { LockstepClient } from "../../client-sdk/src/index.ts";
import { useBrowserDemo } from "../support/browser-demo.ts";
import { call } from "../support/http.ts";

const ADMIN = { email: "ops@example.com", password: "ops-password" };
const demo = useBrowserDemo({ secret: "operator-csrf-test-secret-with-enough-characters", adminEmail: ADMIN.email });
const unavailable = demo.skip;
const skip = unavailable;

let attacker: HttpServer;
let attackerUrl: string;
/** The page the attacker serves; set per test. */
let attackerPage = "";

before(async () => {
  if (unavailable !== undefined) return;
  // Another origin on the same host (another port): the same "site", so SameSite=Strict cookies still go along.
  attacker = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end(attackerPage));
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});
after(async () => {
  await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
});

test("a page of another origin cannot use an operator's cookies to end a match; the operator's own monitor keeps working", {
  skip,
  timeout: 60_000,
}, async () => {
  const adminToken = (await new LockstepClient(demo.server.url).register(ADMIN.email, ADMIN.password)).token;
  const player = new LockstepClient(demo.server.url);
  await player.loginAnonymous({ name: "Victim" });
  const match = await player.create("arena", { alone: true });
  const started = new Promise((resolve) => match.onStart(resolve));
  match.ready();
  await started;

  const context = await demo.browser.newContext();
  const operator = await context.newPage();
  // The operator opens the monitor and the admin routes once with their token: the cookies are set.
  const monitorApi = operator.waitForResponse((response) => new URL(response.url()).pathname === "/monitor/api");
  await operator.goto(`${demo.server.url}/monitor/?token=${adminToken}`);
  assert.equal((await monitorApi).status(), 200, "the monitor's own page reads its API with the cookie");
  await operator.goto(`${demo.server.url}/admin/rooms?token=${adminToken}`);
  const cookiePaths = (await context.cookies()).filter((cookie) => cookie.name === "lockstep_token").map((cookie) => cookie.path);
  assert.deepEqual(cookiePaths.sort(), ["/admin", "/monitor"]);

  attackerPage = `<script>
    const target = ${JSON.stringify(demo.server.url)};
    const roomId = ${JSON.stringify(match.roomId)};
    const send = (path, init) => fetch(target + path, { credentials: "include", ...init }).then((r) => r.status, (e) => "failed: " + e.message);
    Promise.all([
      send("/monitor/api/room/call?roomId=" + roomId + "&method=endMatch&args=" + encodeURIComponent("[{\\"by\\":\\"attacker\\"}]")),
      send("/admin/rooms/" + roomId + "/end", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ result: { by: "attacker" } }) }),
    ]).then((statuses) => { window.statuses = statuses; });
  </script>`;
  const page = await context.newPage();
  await page.goto(attackerUrl);
  const statuses = await page.waitForFunction(() => (window as unknown as { statuses?: unknown }).statuses).then((handle) => handle.jsonValue());
  assert.deepEqual(statuses, [403, 403]);

  const inspected = await call(demo.server.url, `/admin/rooms/${match.roomId}`, { token: adminToken });
  assert.equal(inspected.body.phase, "running", "the match was not ended");
  await context.close();
  await match.leave();
});
