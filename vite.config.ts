import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { quietProxy } from "./scripts/dev-proxy.mjs";

/** Where `npm run dev` runs wrangler dev; Vite's dev server forwards the API and sockets there. */
const WORKER_ORIGIN = `http://127.0.0.1:${process.env.WORKER_PORT ?? "8787"}`;

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
