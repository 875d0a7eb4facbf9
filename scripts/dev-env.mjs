// What every local launcher shares: the project root, an offline environment, the dev secret.
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The environment for wrangler and vite: Node 22 from node_modules first, no telemetry. */
export function offlineEnv() {
  return {
    ...process.env,
    PATH: `${resolve(projectRoot, "node_modules/.bin")}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_LOG: process.env.WRANGLER_LOG ?? "warn",
  };
}

/** Generates a local session secret once; .dev.vars is git-ignored. */
export function ensureDevVars() {
  const path = resolve(projectRoot, ".dev.vars");
  if (existsSync(path)) return;
  writeFileSync(path, `SESSION_SECRET=${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  console.log("generated .dev.vars with a local SESSION_SECRET");
}

/** A loopback port nobody listens on right now, asked of the kernel. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}
