// `npm run dev`: wrangler dev runs the Worker and its objects; once it answers /api/health, Vite's
// dev server starts in front of it (hot reload of the web app, /api and the sockets forwarded to the
// Worker) and prints the URL to open (http://localhost:5173). The Worker alone serves the last
// build on its own port too.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars, offlineEnv, projectRoot } from "./dev-env.mjs";

/** wrangler and vitest need Node 22; `npm install` brings it as the `node` dev dependency. */
const NODE_MAJOR = 22;
/** A cold wrangler dev answers in a few seconds; a first build of the Worker takes longer. */
const WORKER_START_TIMEOUT_MS = 90_000;

const bin = (name) => resolve(projectRoot, "node_modules/.bin", name);

if (!existsSync(bin("wrangler")) || !existsSync(bin("vite")) || !existsSync(bin("node"))) {
  console.error("The dependencies are not installed: run `npm install`, then `npm run dev`.");
  process.exit(1);
}
if (Number(process.versions.node.split(".")[0]) < NODE_MAJOR) {
  // Started as `node scripts/dev.mjs` with an older system Node: go on under the project's Node 22.
  console.error(
    `Node ${process.version} is too old for wrangler; running under the project's Node ${NODE_MAJOR} ` +
      "(node_modules/.bin/node). Use `npm run dev`, which does this by itself.",
  );
  const child = spawn(bin("node"), [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: offlineEnv(),
  });
  // The terminal's Ctrl-C reaches the child too; this process only waits for it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  const webPort = process.env.PORT ?? "5173";
  const workerPort = process.env.WORKER_PORT ?? "8787";
  for (const [port, variable] of [
    [workerPort, "WORKER_PORT"],
    [webPort, "PORT"],
  ]) {
    if (!(await portIsFree(Number(port)))) {
      console.error(`Port ${port} is in use (another \`npm run dev\`?): stop it, or set ${variable} to a free port.`);
      process.exit(1);
    }
  }
  ensureDevVars();
  const { buildWeb } = await import("./dev-server.mjs");
  buildWeb();

  // Vite's origin must be allowed to change state and open sockets on the Worker.
  const viteOrigins = `http://localhost:${webPort},http://127.0.0.1:${webPort}`;
  const env = { ...offlineEnv(), PORT: webPort, WORKER_PORT: workerPort };
  const children = [];
  let stopping = false;
  const stopAll = () => {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  };
  const track = (child, name) => {
    children.push(child);
    child.on("exit", (code) => {
      if (!stopping) console.error(`${name} exited${code ? ` with code ${code}` : ""}; stopping.`);
      stopAll();
      process.exitCode = process.exitCode || code || 0;
    });
    return child;
  };
  process.on("SIGINT", stopAll);
  process.on("SIGTERM", stopAll);

  const wrangler = track(
    spawn(
      bin("wrangler"),
      ["dev", "--port", workerPort, "--var", `ALLOWED_ORIGINS:${viteOrigins}`, ...process.argv.slice(2)],
      { cwd: projectRoot, env, stdio: "inherit" },
    ),
    "wrangler dev",
  );
  console.log(`waiting for the Worker on http://127.0.0.1:${workerPort}/api/health ...`);
  const health = await waitForWorker(`http://127.0.0.1:${workerPort}`, wrangler, () => stopping);
  if (!health) return;
  console.log(describeHealth(health, workerPort));
  // Only now does Vite start and print its URL: no request reaches a Worker that is not listening.
  track(
    spawn(bin("vite"), ["--host", "localhost", "--clearScreen", "false"], { cwd: projectRoot, env, stdio: "inherit" }),
    "vite",
  );
}

/** Any answer from /api/health: a 503 (a configured MongoDB or Upstash not answering) still means it listens. */
async function waitForWorker(origin, child, stopped) {
  const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopped() || child.exitCode !== null) return null;
    try {
      const response = await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.json().catch(() => null) };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  console.error(`The Worker did not answer ${origin}/api/health within ${WORKER_START_TIMEOUT_MS / 1000} s; stopping.`);
  child.kill("SIGTERM");
  process.exitCode = 1;
  return null;
}

function describeHealth({ status, body }, workerPort) {
  const parts = body ? `store ${body.store}, cache ${body.cache}` : `status ${status}`;
  if (status === 200) return `Worker ready on http://localhost:${workerPort} (${parts}); starting Vite`;
  const down = body?.answers
    ? Object.entries({ store: body.answers.store, cache: body.answers.cache })
        .filter(([, up]) => !up)
        .map(([name]) => `${name} (${body[name]})`)
        .join(", ")
    : "";
  return `Worker listening on http://localhost:${workerPort} but /api/health answers ${status}${down ? `: not answering: ${down}` : ""}; starting Vite`;
}

function portIsFree(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}
