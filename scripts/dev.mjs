// `npm run dev`: builds the web app, rebuilds it on change, and serves everything with wrangler dev.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { buildWeb } from "./dev-server.mjs";
import { ensureDevVars, offlineEnv, projectRoot } from "./dev-env.mjs";

ensureDevVars();
buildWeb();
const bin = (name) => resolve(projectRoot, "node_modules/.bin", name);
const port = process.env.PORT ?? "8787";
const children = [
  spawn(bin("vite"), ["build", "--watch", "--logLevel", "warn"], { cwd: projectRoot, env: offlineEnv(), stdio: "inherit" }),
  spawn(bin("wrangler"), ["dev", "--port", port, "--live-reload", ...process.argv.slice(2)], {
    cwd: projectRoot,
    env: offlineEnv(),
    stdio: "inherit",
  }),
];
const stopAll = () => children.forEach((child) => child.kill("SIGTERM"));
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
for (const child of children) child.on("exit", (code) => { stopAll(); process.exitCode = code ?? 0; });
