// `npm run dev`: wrangler dev runs the Worker and its objects; Vite's dev server serves the
// web app with hot reload in front of it and forwards /api (and the sockets) to the Worker.
// Open the Vite URL it prints (http://localhost:5173). The Worker alone serves the last build
// on its own port too.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { ensureDevVars, offlineEnv, projectRoot } from "./dev-env.mjs";
import { buildWeb } from "./dev-server.mjs";

ensureDevVars();
buildWeb();
const bin = (name) => resolve(projectRoot, "node_modules/.bin", name);
const webPort = process.env.PORT ?? "5173";
const workerPort = process.env.WORKER_PORT ?? "8787";
// Vite's origin must be allowed to change state and open sockets on the Worker.
const viteOrigins = `http://localhost:${webPort},http://127.0.0.1:${webPort}`;
const env = { ...offlineEnv(), PORT: webPort, WORKER_PORT: workerPort };
const children = [
  spawn(
    bin("wrangler"),
    ["dev", "--port", workerPort, "--var", `ALLOWED_ORIGINS:${viteOrigins}`, ...process.argv.slice(2)],
    {
      cwd: projectRoot,
      env,
      stdio: "inherit",
    },
  ),
  spawn(bin("vite"), ["--host", "localhost"], { cwd: projectRoot, env, stdio: "inherit" }),
];
const stopAll = () => {
  for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
for (const child of children)
  child.on("exit", (code) => {
    stopAll();
    process.exitCode = code ?? 0;
  });
