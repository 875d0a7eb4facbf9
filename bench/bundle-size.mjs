// The gzipped JS and CSS a first page loads: the entry with everything it imports, plus the
// chunk of the screen it shows (web/src/screens.ts) with its own imports and styles. Chunks
// fetched later (dialogs, the transcript, the chat's chunk on the list page) are not counted.
// Usage: node bench/bundle-size.mjs [--no-build] [--parts]
//   --no-build reads dist/web, built with --manifest;
//   --parts also prints, for each first page, what each source file adds to it (from source maps).
// Prints every first page against the target, and exits 1 when one is over it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipped, pageParts, readAsServed } from "./bundle-parts.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Issue 14: every first page's JS and CSS under 30 KB gzipped (counted as 30 000 bytes). */
export const FIRST_PAGE_TARGET_BYTES = 30_000;

/** Each first page: the screen chunks it needs besides the entry, by source (Vite's manifest keys). */
export const FIRST_PAGES = {
  /** `/login`, `/signup`, `/invite/<token>` signed out. */
  signedOut: ["src/components/SignedOut.tsx"],
  /** `/` signed in: the signed-in frame and the list. */
  signedIn: ["src/components/ChatScreen.tsx", "src/components/ListScreen.tsx"],
  /**
   * `/c/<id>` signed in: the frame and the open chat. The list's chunk is asked for once the chat
   * is painted (ChatScreen.tsx), so it is not part of what the person waits for here.
   */
  chatOpen: ["src/components/ChatScreen.tsx", "src/components/ChatWindow.tsx"],
  /** `/c/<id>` of a group: the chat with the group's own frame (its bar, members and notices). */
  groupOpen: ["src/components/ChatScreen.tsx", "src/components/ChatWindow.tsx", "src/components/GroupChat.tsx"],
};

/** Screens that vite.config.ts puts in a chunk group of another name: the group's name. */
const CHUNK_GROUP_OF = { ChatScreen: "signed-in" };

/**
 * @typedef {{ js: number, css: number, total: number, assets: string[] }} PageSize bytes gzipped (level 9)
 * @returns {PageSize & { pages: Record<keyof typeof FIRST_PAGES, PageSize> }} the top-level figures are
 *   the heaviest first page's
 */
export function measureFirstPage({ build = true, parts = false } = {}) {
  // A build of its own, so that a dist/web in use (wrangler dev, the e2e tests) is left alone.
  const outDir = build ? mkdtempSync(join(tmpdir(), "edge-chat-bundle-")) : join(root, "dist/web");
  try {
    if (build) {
      const result = spawnSync(
        join(root, "node_modules/.bin/vite"),
        // Source maps for --parts; their one comment line per file is not counted (see size).
        ["build", "--outDir", outDir, "--emptyOutDir", "--manifest", "--sourcemap", "--logLevel", "error"],
        {
          cwd: root,
          stdio: ["ignore", "ignore", "inherit"],
          env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` },
        },
      );
      if (result.status !== 0) throw new Error(`vite build failed (${result.status})`);
    }
    const manifestPath = join(outDir, ".vite/manifest.json");
    if (!existsSync(manifestPath))
      throw new Error(`${manifestPath} is missing: build with --manifest, or drop --no-build`);
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
    if (!entry) throw new Error("the manifest names no entry");

    /**
     * A screen's chunk by its source; a screen put in a chunk group of vite.config.ts (ChatWindow)
     * is listed under the group's name instead.
     */
    const chunkOf = (key) => {
      if (manifest[key]) return manifest[key];
      const name = key.replace(/^.*\/|\.tsx?$/g, "");
      const group = CHUNK_GROUP_OF[name] ?? name;
      return Object.values(manifest).find((chunk) => !chunk.src && chunk.name === group);
    };
    /** A chunk with everything it imports statically: what must arrive before it runs. */
    const closure = (key, files = new Set()) => {
      const chunk = chunkOf(key);
      if (!chunk) throw new Error(`no chunk for ${key} in the manifest: was it renamed? (bench/bundle-size.mjs)`);
      if (files.has(`/${chunk.file}`)) return files;
      files.add(`/${chunk.file}`);
      for (const css of chunk.css ?? []) files.add(`/${css}`);
      for (const imported of chunk.imports ?? []) closure(imported, files);
      return files;
    };
    const size = (files) => {
      const totals = { js: 0, css: 0 };
      for (const path of files) {
        const kind = path.endsWith(".css") ? "css" : "js";
        totals[kind] += gzipped(readAsServed(join(outDir, path)));
      }
      const assets = [...files];
      return {
        ...totals,
        total: totals.js + totals.css,
        assets,
        ...(parts ? { parts: pageParts(outDir, assets) } : {}),
      };
    };

    const pages = Object.fromEntries(
      Object.entries(FIRST_PAGES).map(([name, screens]) => {
        const files = closure(entry);
        for (const screen of screens) closure(screen, files);
        return [name, size(files)];
      }),
    );
    const heaviest = Object.values(pages).reduce((a, b) => (b.total > a.total ? b : a));
    return { ...heaviest, pages };
  } finally {
    if (build) rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const parts = process.argv.includes("--parts");
  const { pages } = measureFirstPage({ build: !process.argv.includes("--no-build"), parts });
  const labels = {
    signedOut: "signed out (/login)",
    signedIn: "signed in (/)",
    chatOpen: "chat open (/c/<id>)",
    groupOpen: "group open (/c/<id>)",
  };
  let over = 0;
  for (const [name, page] of Object.entries(pages)) {
    const margin = FIRST_PAGE_TARGET_BYTES - page.total;
    if (margin < 0) over += 1;
    console.log(
      `${labels[name].padEnd(23)} js ${String(page.js).padStart(6)}  css ${String(page.css).padStart(5)}  total ${String(page.total).padStart(6)} bytes gzipped  (${page.assets.length} files)  ${margin >= 0 ? `ok, ${margin} under` : `OVER by ${-margin}`}`,
    );
    for (const part of page.parts ?? []) console.log(`    ${String(part.bytes).padStart(6)}  ${part.source}`);
  }
  console.log(`target: every first page under ${FIRST_PAGE_TARGET_BYTES} bytes gzipped (issue 14)`);
  process.exitCode = over > 0 ? 1 : 0;
}
