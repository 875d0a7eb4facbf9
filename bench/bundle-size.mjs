// The gzipped size of the JS and CSS that the built index.html loads at start.
// Usage: node bench/bundle-size.mjs [--no-build]   (--no-build reads an existing dist/web)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist/web");

/** @returns {{ js: number, css: number, total: number, assets: string[] }} bytes gzipped (level 9) */
export function measureFirstPage({ build = true } = {}) {
  if (build) {
    const result = spawnSync(join(root, "node_modules/.bin/vite"), ["build", "--logLevel", "error"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` },
    });
    if (result.status !== 0) throw new Error(`vite build failed (${result.status})`);
  }
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  /** Same-origin assets the page fetches at start: module scripts, preloads, stylesheets. */
  const assets = [
    ...new Set(
      [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]),
    ),
  ];
  const totals = { js: 0, css: 0 };
  for (const path of assets) {
    const kind = path.endsWith(".css") ? "css" : "js";
    totals[kind] += gzipSync(readFileSync(join(outDir, path)), { level: 9 }).byteLength;
  }
  return { ...totals, total: totals.js + totals.css, assets };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const totals = measureFirstPage({ build: !process.argv.includes("--no-build") });
  console.log(`js    ${totals.js} bytes gzipped`);
  console.log(`css   ${totals.css} bytes gzipped`);
  console.log(`total ${totals.total} bytes gzipped`);
}
