import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { quietProxy } from "./scripts/dev-proxy.mjs";

/** Where `npm run dev` runs wrangler dev; Vite's dev server forwards the API and sockets there. */
const WORKER_ORIGIN = `http://127.0.0.1:${process.env.WORKER_PORT ?? "8787"}`;

const ENTRY = fileURLToPath(new URL("./web/src/main.tsx", import.meta.url));
/** The signed-in frame: both signed-in first pages load it (the list page, and a chat's direct link). */
const SIGNED_IN = fileURLToPath(new URL("./web/src/components/ChatScreen.tsx", import.meta.url));
/** The open chat: a direct link's first page loads it with the frame. */
const CHAT_WINDOW = fileURLToPath(new URL("./web/src/components/ChatWindow.tsx", import.meta.url));
/** The list with its live model: the list page loads it with the frame, a direct link after the chat. */
const LIST_SCREEN = fileURLToPath(new URL("./web/src/components/ListScreen.tsx", import.meta.url));
/** Small parts that the screens' chunks share (icons, links, avatars, error text, the connection dot). */
const SHARED_BY_SCREENS = /\/web\/src\/(errors\.ts|components\/(icons|Link|Avatar|ConnectionStatus)\.tsx)$/;

type ChunkingContext = { getModuleInfo(id: string): { importedIds: readonly string[] } | null };
/** What the entry, and the signed-in frame, load before anything else, per chunking pass. */
const loadedByEntry = new WeakMap<ChunkingContext, Set<string>>();
const loadedBySignedIn = new WeakMap<ChunkingContext, Set<string>>();
const loadedByChat = new WeakMap<ChunkingContext, Set<string>>();
const loadedByList = new WeakMap<ChunkingContext, Set<string>>();

/** A module with everything it imports statically, once per chunking pass. */
function staticClosure(root: string, context: ChunkingContext, cache: WeakMap<ChunkingContext, Set<string>>) {
  let loaded = cache.get(context);
  if (loaded) return loaded;
  const seen = new Set<string>();
  const visit = (module: string) => {
    if (seen.has(module)) return;
    seen.add(module);
    for (const imported of context.getModuleInfo(module)?.importedIds ?? []) visit(imported);
  };
  visit(root);
  loaded = seen;
  cache.set(context, loaded);
  return loaded;
}

/**
 * One chunk, the shell, for the libraries, everything the entry loads, and the small shared parts:
 * fewer files on a first page, each gzipped with more of the others' words (about 1 KB less).
 */
function shellChunk(id: string, context: ChunkingContext) {
  // The bundler's own helpers too: else a file of their own once two screens need them.
  if (id.includes("/node_modules/") || id.includes("rolldown/runtime") || SHARED_BY_SCREENS.test(id)) return "shell";
  if (id === ENTRY) return null;
  return staticClosure(ENTRY, context, loadedByEntry).has(id) ? "shell" : null;
}

/**
 * One chunk for the signed-in frame itself and what it imports (the outbox), and for what the chat
 * and the list both use (the socket layer, the schemas): both signed-in first pages need all of
 * it, and one file gzips smaller than several.
 */
function signedInChunk(id: string, context: ChunkingContext) {
  if (shellChunk(id, context)) return null;
  if (staticClosure(SIGNED_IN, context, loadedBySignedIn).has(id)) return "signed-in";
  const sharedByChatAndList =
    staticClosure(CHAT_WINDOW, context, loadedByChat).has(id) &&
    staticClosure(LIST_SCREEN, context, loadedByList).has(id);
  return sharedByChatAndList ? "signed-in" : null;
}

/**
 * One chunk for the chat and everything it imports besides the shell and the frame: without it the
 * parts it shares with an open group's chunk (GroupChat.tsx) would be a third file on its first page.
 */
function chatChunk(id: string, context: ChunkingContext) {
  if (shellChunk(id, context) || signedInChunk(id, context) || id === SIGNED_IN) return null;
  return staticClosure(CHAT_WINDOW, context, loadedByChat).has(id) ? "ChatWindow" : null;
}

// The web app builds into the Worker's assets directory (wrangler.toml [assets]).
export default defineConfig({
  root: "web",
  plugins: [preact()],
  resolve: {
    // protocol/wire.ts's schemas, checked in the browser by the few functions they use (valibot-lite.ts).
    alias: { valibot: fileURLToPath(new URL("./web/src/net/valibot-lite.ts", import.meta.url)) },
  },
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    // Every browser the app supports knows <link rel="modulepreload">.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: shellChunk, debugName: "shell" },
            { name: signedInChunk, debugName: "signed-in" },
            { name: chatChunk, debugName: "ChatWindow" },
          ],
        },
      },
      // A valibot function wire.ts starts to use that valibot-lite.ts lacks would be undefined in the browser.
      onLog(level, log, handler) {
        if (log.code === "IMPORT_IS_UNDEFINED") throw new Error(log.message);
        handler(level, log);
      },
    },
  },
  server: {
    port: Number(process.env.PORT ?? 5173),
    strictPort: true,
    // Closed tabs and the Worker's start-up or reload are ordinary: answered without a stack trace.
    proxy: { "/api": { target: WORKER_ORIGIN, ws: true, configure: quietProxy } },
  },
});
