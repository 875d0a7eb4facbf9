// Starts `wrangler dev` for tests and scripts: a free port, its own state directory, offline.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureDevVars, freePort, offlineEnv, projectRoot } from "./dev-env.mjs";

/** @typedef {{ url: string, port: number, stop: () => Promise<void>, log: () => string }} DevServer */

/** Lines of a wrangler log that are bugs even when every test passes: errors nothing caught. */
export function uncaughtErrors(log) {
  return log.split("\n").filter((line) => /Uncaught|unhandled rejection|✘ \[ERROR\]/i.test(line));
}

/**
 * Lines of a wrangler log that leak what a log must never hold: a session cookie or token, a
 * password, a message body (serialized messages carry a "body" field), or a structured line that
 * is not one JSON object with a level and an event.
 */
export function leakyLogLines(log) {
  const leaks = /__Host-session=|"password"|password123|correct horse|"body"\s*:|"passwordHash"/i;
  return log.split("\n").filter((line) => leaks.test(line) || (line.includes('"event"') && !isLogObject(line)));
}

function isLogObject(line) {
  const start = line.indexOf("{");
  try {
    const value = JSON.parse(line.slice(start));
    return typeof value.level === "string" && typeof value.event === "string";
  } catch {
    return false;
  }
}

/**
 * @param {{ build?: boolean, vars?: Record<string, string>, log?: boolean }} [options]
 * @returns {Promise<DevServer>}
 */
export async function startDevServer(options = {}) {
  ensureDevVars();
  if (options.build) buildWeb();
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "edge-chat-dev-"));
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
  ];
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push("--var", `${key}:${value}`);
  const child = spawn(resolve(projectRoot, "node_modules/.bin/wrangler"), args, {
    cwd: projectRoot,
    env: offlineEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const collect = (chunk) => {
    output += chunk;
    if (options.log) process.stderr.write(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      await new Promise((done) => child.once("exit", done));
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, stop, log: () => output };
}

export function buildWeb() {
  const result = spawnSync(resolve(projectRoot, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], {
    cwd: projectRoot,
    env: offlineEnv(),
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("vite build failed");
}

async function waitForHealth(url, child, output) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`wrangler dev did not answer on ${url} within 60 s:\n${output()}`);
}
