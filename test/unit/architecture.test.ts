import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** What each folder of the library may import, besides itself: dependencies point one way, toward the protocol. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  lockstep: ["protocol"],
  server: ["lockstep", "protocol"],
  accounts: ["server", "lockstep", "protocol"],
  scaling: ["server", "lockstep", "protocol"],
  testing: ["server", "lockstep", "protocol"],
  monitor: ["server", "lockstep", "protocol"],
  // src/index.ts: the main entry re-exports the core.
  "": ["lockstep", "server", "protocol"],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Relative imports of a file, resolved to paths from the repository root. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:import|export)\s(?:[^;"]*?from\s+)?"(\.[^"]+)"/g), ...text.matchAll(/import\("(\.[^"]+)"\)/g)].map(
    (match) => match[1]!,
  );
  return specifiers.map((specifier) => relative(root, resolve(dirname(file), specifier)));
}

/** `src/lockstep/x.ts` → `lockstep`; `src/index.ts` → `""`. */
const folderOf = (path: string): string => (path.split("/").length > 2 ? path.split("/")[1]! : "");

test("the library's folders depend one way: protocol ← lockstep ← server ← {accounts, scaling, testing}", () => {
  const violations: string[] = [];
  for (const file of sourceFiles(join(root, "src"))) {
    const from = folderOf(relative(root, file));
    for (const target of relativeImports(file)) {
      if (!target.startsWith("src/")) {
        violations.push(`${relative(root, file)} reaches outside the library: ${target}`);
        continue;
      }
      const to = folderOf(target);
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) violations.push(`${relative(root, file)} (${from || "index"}) imports ${target} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test("the client SDK depends on the protocol only", () => {
  const violations = sourceFiles(join(root, "client-sdk/src")).flatMap((file) =>
    relativeImports(file)
      .filter((target) => !target.startsWith("client-sdk/src/") && !target.startsWith("src/protocol/"))
      .map((target) => `${relative(root, file)} imports ${target}`),
  );
  assert.deepEqual(violations, []);
});

test("the demo uses the library and the client SDK through their package entries, as an application would", () => {
  const violations = [...sourceFiles(join(root, "demo"))].flatMap((file) =>
    relativeImports(file)
      .filter((target) => target.startsWith("src/") || target.startsWith("client-sdk/"))
      .map((target) => `${relative(root, file)} imports ${target} instead of the package`),
  );
  assert.deepEqual(violations, []);
});
