// Builds the client SDK: an ESM module (dependencies external), a single-file browser bundle
// for a <script> tag (global `ColyseusLockstep`), and the type declarations.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const entry = join(here, "src/index.ts");
rmSync(dist, { recursive: true, force: true });

await build({
  entryPoints: [entry],
  outfile: join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external: ["@colyseus/sdk", "msgpackr"],
  sourcemap: true,
  logLevel: "warning",
});

await build({
  entryPoints: [entry],
  outfile: join(dist, "lockstep-client.global.js"),
  bundle: true,
  format: "iife",
  globalName: "ColyseusLockstep",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
});

execFileSync(process.execPath, [join(here, "../node_modules/typescript/bin/tsc"), "-p", join(here, "tsconfig.build.json")], {
  stdio: "inherit",
});
