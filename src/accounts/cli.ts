import { runAccountsCli } from "./accounts-cli.ts";
import { openUserStore } from "./open-user-store.ts";
import { loadSecurityConfig } from "./security-config.ts";

// `npm run accounts -- grant-admin ada@example.com`
const store = await openUserStore(loadSecurityConfig());
try {
  const result = await runAccountsCli(process.argv.slice(2), store);
  console.log(result.output);
  process.exitCode = result.exitCode;
} finally {
  await store.close();
}
