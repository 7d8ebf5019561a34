import type { Role, UserStore } from "colyseus-lockstep/accounts";

/** What `npm run accounts` prints for `--help`, `-h`, `help`, no command or a command it does not know. */
export const USAGE = `usage: npm run accounts -- <command>
  grant-admin <email>    make a registered user an admin
  revoke-admin <email>   make an admin a plain player again
  show <email>           print a user (without the password hash)
  help, --help, -h       print this text
Uses DATABASE_URL if set, else the embedded database in DATA_DIR (default .data/db),
which a running server holds: stop it first (or use DATABASE_URL).`;

/**
 * The answer to a command line that asks for help (`--help`, `-h`, `help`) or names no command:
 * the usage and exit code 0. Undefined for any other: that one needs the database.
 */
export function helpRequest(args: readonly string[]): CliResult | undefined {
  const [command] = args;
  return command === undefined || command === "help" || command === "--help" || command === "-h" ? { output: USAGE, exitCode: 0 } : undefined;
}

/** Result of a CLI command: text for the terminal and the process exit code. */
export interface CliResult {
  readonly output: string;
  readonly exitCode: number;
}

async function setRole(store: UserStore, email: string | undefined, role: Role): Promise<CliResult> {
  if (email === undefined) return { output: USAGE, exitCode: 2 };
  const user = await store.findByEmail(email);
  if (user === undefined) return { output: `no user with email ${email}`, exitCode: 1 };
  const updated = await store.setRole(user.id, role);
  // Success is reported only for a row the database says it changed.
  if (updated === undefined) return { output: `no user with email ${email}`, exitCode: 1 };
  return { output: `${updated.email} is now ${updated.role} (their existing tokens were revoked)`, exitCode: 0 };
}

/** Runs one account administration command against a store. */
export async function runAccountsCli(args: readonly string[], store: UserStore): Promise<CliResult> {
  const help = helpRequest(args);
  if (help !== undefined) return help;
  const [command, email] = args;
  switch (command) {
    case "grant-admin":
      return setRole(store, email, "admin");
    case "revoke-admin":
      return setRole(store, email, "player");
    case "show": {
      if (email === undefined) return { output: USAGE, exitCode: 2 };
      const user = await store.findByEmail(email);
      if (user === undefined) return { output: `no user with email ${email}`, exitCode: 1 };
      const { passwordHash: _hidden, ...visible } = user;
      return { output: JSON.stringify(visible, null, 2), exitCode: 0 };
    }
    default:
      return { output: USAGE, exitCode: 2 };
  }
}
