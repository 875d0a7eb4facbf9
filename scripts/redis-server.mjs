// Starts Debian's redis-server for tests and local dev: a free loopback port, its own temp dir,
// no persistence. Never the machine's Redis on 6379. stop()/start() simulate an outage.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./dev-env.mjs";

/**
 * @typedef {{
 *   port: number,
 *   url: string,
 *   stop: () => Promise<void>,
 *   start: () => Promise<void>,
 *   freeze: () => void,
 *   thaw: () => void,
 *   dispose: () => Promise<void>,
 * }} RedisServer
 */

const READY_TIMEOUT_MS = 10_000;
const live = new Set();
// A test runner that exits without calling dispose() must not leave redis-server behind.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * @param {{ binary?: string, log?: boolean }} [options]
 * @returns {Promise<RedisServer>}
 */
export async function startRedisServer(options = {}) {
  const binary = options.binary ?? "redis-server";
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "edge-chat-redis-"));
  /** @type {import("node:child_process").ChildProcess | undefined} */
  let child;

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    // The same port on every start, so clients that reconnect find the server again.
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
    const started = spawn(binary, [...args, "--daemonize", "no", "--logfile", ""], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    live.add(started);
    started.once("exit", () => live.delete(started));
    await waitForReady(started, port, options.log ?? false);
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((done) => running.once("exit", done));
    // SIGKILL: an outage, not a graceful shutdown (nothing is saved either way).
    running.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    // A hung server (accepts nothing, answers nothing) rather than a refused connection.
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
    dispose: async () => {
      child?.kill("SIGCONT");
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once redis-server logs that it accepts connections; rejects if it exits first. */
function waitForReady(child, port, log) {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => fail(new Error(`redis-server on ${port} not ready within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk) => {
      output += chunk;
      if (log) process.stderr.write(chunk);
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    const fail = (error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${output}`));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", fail);
    child.once("exit", (code, signal) =>
      fail(new Error(`redis-server exited (${code ?? signal}) before it was ready`)),
    );
  });
}
