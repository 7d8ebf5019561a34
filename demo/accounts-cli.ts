import { EmbeddedDatabaseBusyError, loadSecurityConfig, openUserStore, type SqlUserStore } from "colyseus-lockstep/accounts";
import { helpRequest, runAccountsCli } from "./accounts-commands.ts";

/** Exit code when the database is held by another process (sysexits' EX_TEMPFAIL: try again later). */
const EXIT_DATABASE_BUSY = 75;

// `npm run accounts -- grant-admin ada@example.com`
// Help is answered before the database is opened: it needs none, and a running server may hold it.
const help = helpRequest(process.argv.slice(2));
if (help !== undefined) {
  console.log(help.output);
  process.exit(help.exitCode);
}
let store: SqlUserStore | undefined;
try {
  store = await openUserStore(loadSecurityConfig());
} catch (error) {
  if (!(error instanceof EmbeddedDatabaseBusyError)) throw error;
  // Nothing was read or written: say why, and how to proceed.
  console.error(`accounts: nothing done: ${error.message}`);
  process.exitCode = EXIT_DATABASE_BUSY;
}
if (store !== undefined) {
  try {
    const result = await runAccountsCli(process.argv.slice(2), store);
    console.log(result.output);
    process.exitCode = result.exitCode;
  } finally {
    await store.close();
  }
}
