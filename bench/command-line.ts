import { parseArgs } from "node:util";

/** An option of a script: a string with a default, or a flag. */
type OptionSpec = { readonly type: "string"; readonly default?: string } | { readonly type: "boolean"; readonly default?: boolean };

/** What a script says about itself in `--help`. */
export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** How it is run, e.g. `npm run loadtest -- [options]`. */
  readonly usage: string;
  /** What it does, in a few lines. */
  readonly about: string;
  readonly options: O;
  /** What each option means (shown next to its default). */
  readonly help?: Partial<Record<keyof O, string>>;
  /** Whether positional arguments are taken (named in `usage`). */
  readonly positionals?: boolean;
}

/** A flag is a boolean; a string option is a string, or undefined when it has no default and was not given. */
type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { type: "boolean" } ? boolean : O[K] extends { default: string } ? string : string | undefined;
};

/** The `--help` text: usage, what the script does, then one aligned line per option. */
export function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, option]) => {
    const meaning = spec.help?.[name as keyof O] ?? "";
    // A flag that is off by default says nothing more; anything else shows what it is when not given.
    const fallback = option.default === undefined || option.default === false ? "" : ` [default: ${String(option.default)}]`;
    return [`--${name}${option.type === "string" ? " VALUE" : ""}`, `${meaning}${fallback}`.trim()];
  });
  rows.push(["-h, --help", "print this text and exit"]);
  const width = Math.max(...rows.map(([left]) => left.length));
  const options = rows.map(([left, right]) => (right === "" ? `  ${left}` : `  ${left.padEnd(width)}  ${right}`));
  return [`usage: ${spec.usage}`, "", spec.about, "", "options:", ...options].join("\n");
}

/**
 * Ends the script over a mistake in its command line: `message` on one line, then the help, on
 * stderr, and exit code 2 (a usage error, as for an unknown option), never a stack trace.
 */
export function usageError<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, message: string): never {
  console.error(`${message}\n\n${helpText(spec)}`);
  process.exit(2);
}

/**
 * The script's options from `process.argv`: `--help` prints what the script does and its
 * options and exits 0; an unknown or malformed option prints one line and the help, and exits 2
 * (never a stack trace).
 */
export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): { values: Values<O>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      options: { ...(spec.options as Record<string, OptionSpec>), help: { type: "boolean", short: "h", default: false } },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (error) {
    // parseArgs' messages are one line (e.g. "Unknown option '--nope'. …"); only their first line is shown in any case.
    return usageError(spec, String((error as Error).message).split("\n")[0]!);
  }
  if (parsed.values.help === true) {
    console.log(helpText(spec));
    process.exit(0);
  }
  const { help: _help, ...values } = parsed.values;
  return { values: values as Values<O>, positionals: parsed.positionals };
}
