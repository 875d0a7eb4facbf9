// The `mongodb` driver as one CommonJS file, for the Workers Vitest integration only.
// Why: the plugin's module loader resolves the driver's `require("bson")` inside
// node_modules/mongodb/lib/bson.js to that same file (a sibling `bson.js` wins over the
// package), which recurses until the stack overflows. Bundled by esbuild, as wrangler bundles
// it for `wrangler dev` and deploy, the driver has no such require left. Rebuilt when the
// installed driver's version changes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));

/** Path of the bundled driver, built when missing or stale. */
export function mongodbBundleForWorkerd() {
  const version = JSON.parse(readFileSync(require.resolve("mongodb/package.json"), "utf8")).version;
  const dir = join(root, "node_modules/.cache/edge-chat");
  const outfile = join(dir, `mongodb-${version}.cjs`);
  if (existsSync(outfile)) return outfile;
  mkdirSync(dir, { recursive: true });
  // Named imports of a CommonJS module are found by cjs-module-lexer, which reads this literal.
  const names = Object.keys(require("mongodb")).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const partial = `${outfile}.partial-${process.pid}`;
  buildSync({
    entryPoints: [require.resolve("mongodb")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "es2022",
    outfile: partial,
    logLevel: "error",
    external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
    footer: { js: `0 && (module.exports = { ${names.join(", ")} });` },
  });
  writeFileSync(outfile, readFileSync(partial));
  return outfile;
}
