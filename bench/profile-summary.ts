// npm run bench:profile -- FILE.cpuprofile [--top 30]
// Summarizes a V8 CPU profile (from `npm run loadtest -- --profile DIR`): time by package, by
// function (its own), and by function with what it calls, in % of the samples, so a report can
// say where a server's time goes.
import { readFileSync } from "node:fs";
import { parseCommandLine, usageError } from "./command-line.ts";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const command = {
  usage: "npm run bench:profile -- FILE.cpuprofile [options]",
  about: `Summarizes a V8 CPU profile (from npm run loadtest -- --profile DIR): the time by package, by function
(its own time) and by function with what it calls, in % of the samples, so a report can say where a
server's time goes.`,
  options: { top: { type: "string", default: "30" } },
  help: { top: "rows in each table" },
  positionals: true,
} as const;
const { values, positionals } = parseCommandLine(command);
const file = positionals[0];
if (file === undefined) usageError(command, "no profile given: name a .cpuprofile file");
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const selfMs = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
});
const totalMs = [...selfMs.values()].reduce((sum, ms) => sum + ms, 0);

/** `name file:line`, paths shortened to the package or the project folder. */
function functionKey(id: number): string {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url === "" ? "" : ` ${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(src|bench|demo)\//, "$1/")}:${lineNumber + 1}`;
  return `${functionName || "(anonymous)"}${where}`;
}

/** `node_modules/@colyseus/core/...` → `@colyseus/core`; project files by folder; Node internals and V8 as such. */
function packageOf(id: number): string {
  const { functionName, url } = byId.get(id)!.callFrame;
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (module !== undefined) return module;
  if (url.startsWith("node:")) return "node internals";
  const project = /\/(src|bench|demo)\/(.*?)\/?[^/]*$/.exec(url);
  return project === null ? url : `${project[1]}/${project[2]}`;
}

const add = (table: Map<string, number>, key: string, ms: number): void => void table.set(key, (table.get(key) ?? 0) + ms);
const packages = new Map<string, number>();
const own = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, ms] of selfMs) {
  add(packages, packageOf(id), ms);
  add(own, functionKey(id), ms);
  // A function's time with what it calls: every function on the sample's stack, once per stack.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const key = functionKey(at);
    if (!seen.has(key)) add(inclusive, key, ms);
    seen.add(key);
  }
}

const rows = (table: Map<string, number>, count: number): string =>
  [...table]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${((ms / totalMs) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${key}`)
    .join("\n");

console.log(`${(totalMs / 1000).toFixed(1)} s sampled

by package:
${rows(packages, 20)}

by function (own time):
${rows(own, top)}

by function (with what it calls):
${rows(inclusive, top)}`);
