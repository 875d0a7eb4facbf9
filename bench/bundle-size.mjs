// Prints the gzipped size of the JS and CSS that the built index.html loads.
// Usage: node bench/bundle-size.mjs [--no-build]   (--no-build reads an existing dist/web)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist/web");

if (!process.argv.includes("--no-build")) {
  const result = spawnSync(join(root, "node_modules/.bin/vite"), ["build", "--logLevel", "error"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const html = readFileSync(join(outDir, "index.html"), "utf8");
/** Same-origin assets the page fetches at start: module scripts, preloads, stylesheets. */
const assets = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map(
  (match) => match[1],
);
const unique = [...new Set(assets)];

const totals = { js: 0, css: 0 };
for (const path of unique) {
  const kind = path.endsWith(".css") ? "css" : "js";
  totals[kind] += gzipSync(readFileSync(join(outDir, path)), { level: 9 }).byteLength;
}

console.log(`js    ${totals.js} bytes gzipped`);
console.log(`css   ${totals.css} bytes gzipped`);
console.log(`total ${totals.js + totals.css} bytes gzipped`);
