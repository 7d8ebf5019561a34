import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The package's entry points (package.json `exports`) and their sources. */
const ENTRIES: Readonly<Record<string, string>> = {
  "colyseus-lockstep": "src/index.ts",
  "colyseus-lockstep/protocol": "src/protocol/index.ts",
  "colyseus-lockstep/accounts": "src/accounts/index.ts",
  "colyseus-lockstep/scaling": "src/scaling/index.ts",
  "colyseus-lockstep/testing": "src/testing/index.ts",
  "colyseus-lockstep/monitor": "src/monitor/index.ts",
};

/** Names a module exports, types included, following `export … from` and `export *`. */
function exportedNames(file: string): Set<string> {
  const text = readFileSync(file, "utf8");
  const names = new Set<string>();
  for (const match of text.matchAll(
    /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|function\*?|async function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm,
  ))
    names.add(match[1]!);
  for (const match of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .at(-1)!
        .trim();
      if (name !== "") names.add(name);
    }
  }
  for (const match of text.matchAll(/^export\s+\*\s+from\s+"([^"]+)"/gm)) {
    for (const name of exportedNames(resolve(dirname(file), match[1]!))) names.add(name);
  }
  return names;
}

/** The names listed under each `## \`entry\`` heading of docs/API.md. */
function documentedNames(): Map<string, Set<string>> {
  const sections = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of readFileSync(resolve(root, "docs/API.md"), "utf8").split("\n")) {
    const heading = /^## `([^`]+)`/.exec(line);
    if (heading !== null) {
      current = new Set();
      sections.set(heading[1]!, current);
    }
    const item = /^- `([^`]+)` — \S/.exec(line);
    if (item !== null) current?.add(item[1]!);
  }
  return sections;
}

test("package.json exports exactly the documented entry points, each built from its source", () => {
  const exports = (JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { exports: Record<string, unknown> }).exports;
  const entries = Object.keys(exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? "colyseus-lockstep" : `colyseus-lockstep/${key.slice(2)}`));
  assert.deepEqual(entries.sort(), Object.keys(ENTRIES).sort());
  assert.deepEqual([...documentedNames().keys()].sort(), Object.keys(ENTRIES).sort());
});

for (const [entry, source] of Object.entries(ENTRIES)) {
  test(`docs/API.md lists every name ${entry} exports, and nothing else`, () => {
    const exported = [...exportedNames(resolve(root, source))].sort();
    const documented = [...(documentedNames().get(entry) ?? [])].sort();
    assert.deepEqual(documented, exported);
  });
}
