// `npm run deploy`: builds the web app, checks that the Worker's secrets exist, applies pending
// MongoDB migrations, deploys with wrangler, then asks the deployed Worker's /api/health.
//
//   npm run deploy -- [--mongo] [--upstash] [--url https://chat.example.com] [--dry-run]
//
// --mongo / --upstash say that this deployment uses MongoDB Atlas / Upstash Redis, so their secrets
// must exist (a secret that exists counts as the same, since the Worker uses whatever is set).
// With MongoDB, MONGODB_URI must also be set here, for the migrations. --url names the address
// to check when it is not the workers.dev one wrangler prints. --dry-run builds, lists the secrets
// (skipped with a warning when offline) and the migrations, and bundles with
// `wrangler deploy --dry-run`: nothing is uploaded, migrated or requested.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { offlineEnv, projectRoot } from "./dev-env.mjs";

const USAGE = "usage: npm run deploy -- [--mongo] [--upstash] [--url <https://...>] [--dry-run]";
const SECRETS = {
  always: ["SESSION_SECRET"],
  mongo: ["MONGODB_URI"],
  upstash: ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
};
/** A new version reaches every location within seconds; give it a minute before calling it unhealthy. */
const HEALTH_TIMEOUT_MS = 60_000;

/**
 * @typedef {{
 *   wrangler?: string[],
 *   build?: () => void,
 *   listMigrations?: () => Promise<string[]>,
 *   applyMigrations?: (uri: string, log: (line: string) => void) => Promise<{ applied: string[], skipped: string[] }>,
 *   fetch?: typeof fetch,
 *   env?: NodeJS.ProcessEnv,
 *   log?: (line: string) => void,
 *   healthTimeoutMs?: number,
 *   wranglerToml?: string,
 * }} DeployDeps
 */

/**
 * Runs the deploy; returns the exit code. Every effect goes through `deps`, so a test can stand a
 * fake wrangler in and see that a dry run sends nothing.
 * @param {string[]} argv
 * @param {DeployDeps} [deps]
 */
export async function deploy(argv, deps = {}) {
  const env = deps.env ?? process.env;
  const log = deps.log ?? ((line) => console.log(line));
  const wrangler = deps.wrangler ?? [resolve(projectRoot, "node_modules/.bin/wrangler")];
  const build = deps.build ?? buildWeb;
  const listMigrations = deps.listMigrations ?? defaultListMigrations;
  const applyMigrations = deps.applyMigrations ?? defaultApplyMigrations;
  const fetchFn = deps.fetch ?? fetch;

  const options = parseArgs(argv);
  if (typeof options === "string") {
    log(`${options}\n${USAGE}`);
    return 1;
  }
  const { dryRun } = options;
  const problems = [];
  const step = (line) => log(`\n== ${line}`);
  const runWrangler = (args, extraEnv = {}, echo = true) =>
    runCommand(wrangler[0], [...wrangler.slice(1), ...args], { ...wranglerEnv(env), ...extraEnv }, echo ? log : null);

  log(dryRun ? "deploy, dry run: nothing is uploaded, migrated or requested" : "deploy");

  step("build (vite build into dist/web)");
  build();

  step("secrets (wrangler secret list)");
  const listed = await runWrangler(["secret", "list", "--format", "json"], {}, false);
  const secrets = listed.code === 0 ? parseSecretNames(listed.stdout) : null;
  let mongo = options.mongo;
  let upstash = options.upstash;
  if (!secrets) {
    const why = lastLines(listed.stderr || listed.stdout);
    if (!dryRun) {
      log(`could not list the Worker's secrets:\n${why}`);
      log(
        "log in with `npx wrangler login` (or set CLOUDFLARE_API_TOKEN); a new Worker is created by its first `wrangler secret put`",
      );
      return 1;
    }
    log(`could not list the Worker's secrets (offline, or not logged in): not checked in this dry run\n${why}`);
  } else {
    log(`set: ${secrets.length ? secrets.join(", ") : "none"}`);
    // The Worker uses MongoDB or Upstash whenever their secrets are set, flag or not.
    if (!mongo && secrets.includes("MONGODB_URI")) {
      mongo = true;
      log("MONGODB_URI is set, so the Worker uses MongoDB: treated as --mongo");
    }
    if (!upstash && secrets.includes("UPSTASH_REDIS_REST_TOKEN")) {
      upstash = true;
      log("UPSTASH_REDIS_REST_TOKEN is set, so the Worker uses Upstash: treated as --upstash");
    }
    const vars = wranglerVars(deps.wranglerToml ?? resolve(projectRoot, "wrangler.toml"));
    const required = [...SECRETS.always, ...(mongo ? SECRETS.mongo : []), ...(upstash ? SECRETS.upstash : [])];
    for (const name of required) {
      if (secrets.includes(name) || vars[name]) continue;
      problems.push(`missing secret ${name}: npx wrangler secret put ${name}`);
    }
  }
  log(`store: ${mongo ? "MongoDB (MONGODB_URI)" : "embedded"}; cache: ${upstash ? "Upstash" : "embedded"}`);

  if (mongo) {
    step("migrations (scripts/migrate.mjs)");
    const names = await listMigrations();
    log(`migrations in migrations/: ${names.join(", ") || "none"}`);
    if (!env.MONGODB_URI)
      problems.push("MONGODB_URI is not set here: the migrations need it (the same URI as the secret)");
    else if (dryRun) log("the real run applies those not yet recorded in the database's `migrations` collection");
  }

  if (problems.length && !dryRun) return fail(log, problems);
  if (mongo && env.MONGODB_URI && !dryRun) {
    try {
      const { applied, skipped } = await applyMigrations(env.MONGODB_URI, log);
      log(`applied: ${applied.join(", ") || "none"}; already applied: ${skipped.join(", ") || "none"}`);
    } catch (error) {
      return fail(log, [`migrations failed: ${error instanceof Error ? error.message : error}`]);
    }
  }

  if (dryRun) {
    step("bundle (wrangler deploy --dry-run)");
    const outdir = mkdtempSync(join(tmpdir(), "edge-chat-deploy-"));
    try {
      const bundled = await runWrangler(["deploy", "--dry-run", "--outdir", outdir]);
      if (bundled.code !== 0) problems.push("wrangler deploy --dry-run failed (above)");
      else log(`bundled (wrangler's "Total Upload" above is what a deploy would send); ${outdir} removed`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
    if (problems.length) return fail(log, problems);
    log("\ndry run passed: `npm run deploy` without --dry-run would deploy");
    return 0;
  }

  step("deploy (wrangler deploy)");
  const outputDir = mkdtempSync(join(tmpdir(), "edge-chat-deploy-"));
  const outputFile = join(outputDir, "output.ndjson");
  let url;
  try {
    const deployed = await runWrangler(["deploy"], { WRANGLER_OUTPUT_FILE_PATH: outputFile });
    if (deployed.code !== 0) return fail(log, ["wrangler deploy failed (above)"]);
    url = options.url ?? env.DEPLOY_URL ?? deployedUrl(outputFile, deployed.stdout);
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
  if (!url) return fail(log, ["deployed, but no URL to check: pass --url https://<your domain>"]);

  step(`health (${url}/api/health)`);
  const health = await waitForHealth(`${url.replace(/\/$/, "")}/api/health`, fetchFn, {
    timeoutMs: deps.healthTimeoutMs ?? HEALTH_TIMEOUT_MS,
    expected: { store: mongo ? "mongo" : "embedded", cache: upstash ? "upstash" : "embedded" },
  });
  log(health.detail);
  if (!health.ok)
    return fail(log, [`${url} is not healthy`, "the previous version is one command away: npx wrangler rollback"]);
  log(`\ndeployed and healthy: ${url}`);
  return 0;
}

/** @returns {{ dryRun: boolean, mongo: boolean, upstash: boolean, url?: string } | string} */
export function parseArgs(argv) {
  const options = { dryRun: false, mongo: false, upstash: false, url: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--dry-run") options.dryRun = true;
    else if (arg === "--mongo") options.mongo = true;
    else if (arg === "--upstash") options.upstash = true;
    else if (arg === "--url" || arg.startsWith("--url=")) {
      const value = arg === "--url" ? argv[++i] : arg.slice("--url=".length);
      if (!value || !/^https?:\/\//.test(value)) return "--url needs an address such as https://chat.example.com";
      options.url = value;
    } else return `unknown argument: ${arg}`;
  }
  return options;
}

/** `wrangler secret list --format json` prints `[{"name": ..., "type": "secret_text"}]`. */
export function parseSecretNames(stdout) {
  const start = stdout.indexOf("[");
  const end = stdout.lastIndexOf("]");
  if (start < 0 || end < start) return null;
  try {
    const list = JSON.parse(stdout.slice(start, end + 1));
    return Array.isArray(list) ? list.map((entry) => String(entry.name)).sort() : null;
  } catch {
    return null;
  }
}

/** Non-empty plain variables of wrangler.toml's [vars] (UPSTASH_REDIS_REST_URL may live there). */
function wranglerVars(path) {
  if (!existsSync(path)) return {};
  const section =
    readFileSync(path, "utf8")
      .split(/^\[vars\]\s*$/m)[1]
      ?.split(/^\[/m)[0] ?? "";
  const vars = {};
  for (const match of section.matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)) if (match[2]) vars[match[1]] = match[2];
  return vars;
}

/** The workers.dev address: from wrangler's output file when it wrote one, else from what it printed. */
function deployedUrl(outputFile, stdout) {
  if (existsSync(outputFile)) {
    for (const line of readFileSync(outputFile, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line);
        const target = entry.type === "deploy" && entry.targets?.find((t) => /^https:\/\/[^*\s]+$/.test(t));
        if (target) return target;
      } catch {
        // not a JSON line
      }
    }
  }
  return stdout.match(/https:\/\/[^\s*]+\.workers\.dev/)?.[0];
}

async function waitForHealth(url, fetchFn, { timeoutMs, expected }) {
  const deadline = Date.now() + timeoutMs;
  let detail = "no answer";
  for (;;) {
    try {
      const response = await fetchFn(url, { signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      detail = `${response.status} ${text}`;
      const body = JSON.parse(text);
      if (response.ok && body.ok === true) {
        const wrong = Object.entries(expected).filter(([part, kind]) => body[part] !== kind);
        if (!wrong.length) return { ok: true, detail };
        detail += `\nexpected ${wrong.map(([part, kind]) => `${part} "${kind}"`).join(" and ")}: is a secret missing or misnamed?`;
      }
    } catch (error) {
      detail = `no answer: ${error instanceof Error ? error.message : error}`;
    }
    if (Date.now() >= deadline) return { ok: false, detail };
    await new Promise((done) => setTimeout(done, Math.min(3_000, Math.max(0, deadline - Date.now()))));
  }
}

function fail(log, problems) {
  log(`\ndeploy stopped:\n${problems.map((line) => `  - ${line}`).join("\n")}`);
  return 1;
}

/** Node 22 first on PATH (wrangler needs it), no telemetry; normal log level, for wrangler's deploy summary. */
function wranglerEnv(env) {
  const base = offlineEnv();
  return { ...env, PATH: base.PATH, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: env.WRANGLER_LOG ?? "log" };
}

/** Runs a command, echoing its output when `log` is given, and returns what it printed. */
function runCommand(command, args, env, log) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (log) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (log) process.stderr.write(chunk);
    });
    child.on("error", (error) => done({ code: 1, stdout, stderr: `${stderr}${error.message}\n` }));
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

function buildWeb() {
  const result = spawnSync(resolve(projectRoot, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], {
    cwd: projectRoot,
    env: offlineEnv(),
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("vite build failed");
}

async function defaultListMigrations() {
  const { loadMigrations } = await import("./migrate.mjs");
  return (await loadMigrations()).map((migration) => migration.name);
}

async function defaultApplyMigrations(uri, log) {
  const [{ MongoClient }, { migrate }] = await Promise.all([import("mongodb"), import("./migrate.mjs")]);
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await migrate(client.db(), { log });
  } finally {
    await client.close();
  }
}

/** wrangler's error lines (else its last lines), without colours or the log file's path. */
function lastLines(text) {
  const lines = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.includes("Logs were written"));
  const errors = lines.filter((line) => /ERROR/.test(line));
  return (errors.length ? errors : lines.slice(-3)).map((line) => `  ${line}`).join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await deploy(process.argv.slice(2));
}
