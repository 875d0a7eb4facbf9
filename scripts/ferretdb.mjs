// FerretDB 1.24 on SQLite: the MongoDB-wire server that tests and `wrangler dev` use locally.
// Built from the Go module proxy by the steps in `ensureFerretDbBinary` below (a plain `go install` fails here),
// cached outside the repo, rebuilt only when missing. With MONGODB_TEST_URI set, that server is
// used instead and nothing is built.
//
//   node scripts/ferretdb.mjs [--port 27017] [--data-dir DIR]   builds, runs, prints the URI
//
// Then: npx wrangler dev --var MONGODB_URI:<uri>   (and `npm run migrate` with MONGODB_URI=<uri>)
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createConnection } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./dev-env.mjs";

export const FERRETDB_VERSION = "v1.24.0";
const MODULE = "github.com/FerretDB/FerretDB";

const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "edge-chat");
export const ferretDbBinary = join(cacheDir, `ferretdb-${FERRETDB_VERSION}`);

/** The binary's path, building it first when it is not cached (about 60 s cold, 5 s warm). */
export function ensureFerretDbBinary({ log = console.error } = {}) {
  if (existsSync(ferretDbBinary)) return ferretDbBinary;
  mkdirSync(cacheDir, { recursive: true });
  log(`building FerretDB ${FERRETDB_VERSION} into ${ferretDbBinary} (about a minute the first time)`);
  const goEnv = { ...process.env, GOFLAGS: "-buildvcs=false", CGO_ENABLED: "0" };
  const download = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `${MODULE}@${FERRETDB_VERSION}`], { env: goEnv, encoding: "utf8" }),
  );
  if (!download.Dir) throw new Error(`go mod download gave no source directory: ${download.Error ?? "unknown error"}`);
  // The module cache is read-only and version.txt ships empty (the binary panics at start without it).
  const work = mkdtempSync(join(tmpdir(), "ferretdb-src-"));
  try {
    const src = join(work, "src");
    cpSync(download.Dir, src, { recursive: true });
    makeWritable(src);
    writeFileSync(join(src, "build/version/version.txt"), `${FERRETDB_VERSION}\n`);
    // Build to a temporary name, then rename: an interrupted build never leaves a broken cached binary.
    const partial = `${ferretDbBinary}.partial-${process.pid}`;
    execFileSync("go", ["build", "-o", partial, "./cmd/ferretdb"], {
      cwd: src,
      env: goEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    renameSync(partial, ferretDbBinary);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return ferretDbBinary;
}

function makeWritable(path) {
  const mode = statSync(path).mode;
  chmodSync(path, mode | 0o200);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

function canConnect(port) {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode} before listening`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`FerretDB did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/**
 * Starts FerretDB on loopback with its SQLite files in `dataDir` (a new temporary directory by
 * default). `stop()` then `start()` on the same directory and port simulates an outage. With
 * MONGODB_TEST_URI set, returns that server and `stop`/`start` are unavailable. With `debugPort`,
 * `metrics()` reads FerretDB's own counters.
 */
export async function startFerretDb({ dataDir, port, debugPort } = {}) {
  const external = process.env.MONGODB_TEST_URI;
  if (external) {
    const unsupported = async () => {
      throw new Error("MONGODB_TEST_URI is set: the tests cannot stop that server");
    };
    return {
      uri: external,
      port: undefined,
      dataDir: undefined,
      external: true,
      stop: unsupported,
      start: unsupported,
      metrics: unsupported,
    };
  }
  const binary = ensureFerretDbBinary();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "ferretdb-data-"));
  mkdirSync(dir, { recursive: true });
  const listenPort = port ?? (await freePort());
  let child = null;

  const start = async () => {
    if (child) return;
    const next = spawn(
      binary,
      [
        "--handler=sqlite",
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${listenPort}`,
        `--debug-addr=127.0.0.1:${debugPort ?? 0}`,
        "--telemetry=disable",
        `--state-dir=${dir}`,
        "--log-level=ERROR",
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    child = next;
    next.once("exit", () => {
      if (child === next) child = null;
    });
    await waitForPort(listenPort, next, 15_000);
  };

  const stop = async () => {
    const current = child;
    if (!current) return;
    const exited = new Promise((r) => current.once("exit", r));
    current.kill("SIGTERM");
    const killed = setTimeout(() => current.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killed);
  };

  /** Requests per command and connections accepted, counted by the server itself. */
  const metrics = async () => {
    if (!debugPort) throw new Error("start FerretDB with a debugPort to read its metrics");
    const text = await (await fetch(`http://127.0.0.1:${debugPort}/debug/metrics`)).text();
    const requests = {};
    let accepted = 0;
    for (const line of text.split("\n")) {
      const request = /^ferretdb_client_requests_total\{command="([^"]+)"[^}]*\} (\d+)/.exec(line);
      if (request) requests[request[1]] = (requests[request[1]] ?? 0) + Number(request[2]);
      const accept = /^ferretdb_client_accepts_total\{[^}]*\} (\d+)/.exec(line);
      if (accept) accepted += Number(accept[1]);
    }
    return { requests, accepted };
  };

  await start();
  return {
    uri: `mongodb://127.0.0.1:${listenPort}/`,
    port: listenPort,
    dataDir: dir,
    external: false,
    stop,
    start,
    metrics,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  if (args.includes("--build-only")) {
    console.log(ensureFerretDbBinary());
    return;
  }
  const port = option("--port") ? Number(option("--port")) : 27017;
  const dataDir = resolve(option("--data-dir") ?? join(cacheDir, "ferretdb-data"));
  const server = await startFerretDb({ port, dataDir });
  console.log(`FerretDB ${FERRETDB_VERSION} listening: ${server.uri} (data in ${dataDir})`);
  console.log(`  MONGODB_URI=${server.uri}edge_chat npm run migrate`);
  console.log(`  npm run dev -- --var MONGODB_URI:${server.uri}edge_chat`);
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
