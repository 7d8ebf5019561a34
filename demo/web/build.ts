// Builds the demo page's script. The page loads the client SDK's single-file bundle with a
// <script> tag, as any site can; this build maps the SDK import to that bundle's global
// (`ColyseusLockstep`) instead of bundling a second copy.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

const sdkFromGlobal: Plugin = {
  name: "sdk-from-global",
  setup(builder) {
    builder.onResolve({ filter: /^colyseus-lockstep-client$/ }, () => ({ path: "sdk", namespace: "sdk-global" }));
    builder.onLoad({ filter: /.*/, namespace: "sdk-global" }, () => ({ contents: "module.exports = globalThis.ColyseusLockstep;", loader: "js" }));
  },
};

await build({
  entryPoints: [join(here, "arena-page.ts")],
  outfile: join(here, "../dist/arena.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  plugins: [sdkFromGlobal],
  logLevel: "warning",
});
