import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The web app builds into the Worker's assets directory (wrangler.toml [assets]).
export default defineConfig({
  root: "web",
  plugins: [preact()],
  build: { outDir: "../dist/web", emptyOutDir: true },
});
