// Starts `wrangler dev` the way scripts/dev-server.mjs does (the pinned wrangler, offline env, a
// free port on 127.0.0.1, its own --persist-to), with what the bench also needs: the bench's
// Worker (bench/worker/index.ts: the product's app plus /api/__bench/*), another config (the
// baseline), --test-scheduled, --inspector-port, a restart on the same state, and the pid of the
// workerd process that serves it (for its RSS).
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureDevVars, freePort, offlineEnv, projectRoot } from "../../scripts/dev-env.mjs";

/** The bench's Worker entry, from a checkout's root; wrangler.toml's main is the product's. */
const BENCH_ENTRY = "bench/worker/index.ts";

/**
 * What wrangler is given to serve a checkout with its own wrangler.toml: the bench's entry, or
 * nothing for an older checkout without one (its main then mounted /api/__bench/* itself, under
 * BENCH_SEED and BENCH_COUNTERS).
 */
function benchEntry(root) {
  return existsSync(resolve(root, BENCH_ENTRY)) ? [BENCH_ENTRY] : [];
}

/**
 * @param {{ name: string, config?: string, healthPath?: string, testScheduled?: boolean,
 *   inspectorPort?: number, vars?: Record<string, string>, logLevel?: string, root?: string,
 *   noBundle?: boolean }} options
 *   logLevel: WRANGLER_LOG for this server (the Worker's console.log shows from "info")
 *   config: another config, served with its own main (the baseline, or a snapshot); without it
 *   the checkout's wrangler.toml with the bench's entry
 *   noBundle: serve `config`'s main as it is (a snapshot from snapshotApp(), which nobody edits)
 *   root: another checkout of the app to serve (an older commit, for a before/after profile);
 *   the pinned wrangler of this one serves it
 */
export async function startServer(options) {
  ensureDevVars();
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), `edge-chat-bench-${options.name}-`));
  const healthPath = options.healthPath ?? "/api/health";
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", stateDir];
  args.push("--show-interactive-dev-session=false");
  if (options.config) args.push("--config", options.config);
  else args.push(...benchEntry(options.root ?? projectRoot));
  if (options.noBundle) args.push("--no-bundle");
  if (options.testScheduled) args.push("--test-scheduled");
  // An inspector port of its own, always: two servers started together otherwise race for one.
  args.push("--inspector-port", String(options.inspectorPort ?? (await freePort())));
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push("--var", `${key}:${value}`);
  const url = `http://127.0.0.1:${port}`;
  let child;
  let output = "";

  const launch = async () => {
    output = "";
    child = spawn(resolve(projectRoot, "node_modules/.bin/wrangler"), args, {
      cwd: options.root ?? projectRoot,
      env: { ...offlineEnv(), ...(options.logLevel ? { WRANGLER_LOG: options.logLevel } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    await waitForHealth(`${url}${healthPath}`, child, () => output);
  };
  const kill = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  };

  await launch().catch(async (error) => {
    await kill();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  });
  return {
    name: options.name,
    url,
    port,
    stateDir,
    /** Everything wrangler and the Worker printed since the last (re)start. */
    output: () => output,
    /** The workerd process serving this server (a descendant of wrangler). */
    workerdPid: () => descendants(child.pid).find((pid) => processName(pid) === "workerd") ?? null,
    /** Stops and starts again on the same state: memory (rate-limit windows) is lost, storage kept. */
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process in MiB, or null. */
export function rssMiB(pid) {
  if (!pid) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift()) ?? []) {
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}

async function waitForHealth(url, child, output) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`wrangler dev did not answer on ${url} within 90 s:\n${output()}`);
}

/**
 * The bench's Worker as it is now, bundled once by the pinned wrangler (`deploy --dry-run`), with
 * a copy of its config pointing at that bundle. In a shared working tree `wrangler dev` rebuilds
 * and restarts workerd whenever someone saves a source file, dropping every socket
 * mid-measurement; a snapshot is served with `--no-bundle`, so what is measured stays what was
 * there at the start. `root`: another checkout (its `dist/web` built) instead of this one.
 * Returns { config, dir, modules, stop }.
 */
export function snapshotApp({ root = projectRoot } = {}) {
  ensureDevVars();
  const dir = mkdtempSync(join(tmpdir(), "edge-chat-bench-app-"));
  const outdir = join(dir, "bundle");
  const run = spawnSync(
    resolve(projectRoot, "node_modules/.bin/wrangler"),
    ["deploy", ...benchEntry(root), "--dry-run", "--outdir", outdir],
    {
      cwd: root,
      env: offlineEnv(),
      encoding: "utf8",
    },
  );
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stderr}`);
  // The assets too: wrangler dev watches them, and a `vite build` by someone else would restart it.
  cpSync(resolve(root, "dist/web"), join(dir, "web"), { recursive: true });
  const toml = readFileSync(resolve(root, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, 'main = "bundle/index.js"')
    .replace(/^directory = "dist\/web"$/m, 'directory = "web"');
  writeFileSync(join(dir, "wrangler.toml"), toml);
  copyFileSync(resolve(projectRoot, ".dev.vars"), join(dir, ".dev.vars"));
  return {
    config: join(dir, "wrangler.toml"),
    dir,
    outdir,
    modules: readdirSync(outdir).filter((name) => /\.(m?js|wasm)$/.test(name)),
    stop: () => rmSync(dir, { recursive: true, force: true }),
  };
}
