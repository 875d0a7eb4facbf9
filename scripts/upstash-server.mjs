// A local server that speaks the Upstash REST protocol in front of a real redis-server, so the
// real @upstash/redis client runs against real Redis in tests and under `wrangler dev`.
//   POST /            ["SET","k","v","EX",60]        -> {"result": ...} | 400 {"error": "ERR ..."}
//   POST /pipeline    [["INCR","k"],["TTL","k"]]     -> [{"result": ...} | {"error": ...}, ...]
//   POST /multi-exec  same shapes, atomic (MULTI/EXEC)
// CLI: `node scripts/upstash-server.mjs [--port 8079] [--token T]` starts redis-server too.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { startRedisServer } from "./redis-server.mjs";

// Node's own require: a Vite-transformed import (a Vitest global setup) mangles ioredis's CommonJS exports.
const { Redis, ReplyError } = createRequire(import.meta.url)("ioredis");

/**
 * @typedef {{ requests: number, commands: number }} UpstashStats
 * @typedef {{ url: string, token: string, stats: () => UpstashStats, stop: () => Promise<void> }} UpstashServer
 */

/** Upstash's default request limit is 1 MB on the free plan; 10 MB is the largest it allows. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A hung Redis must not hang the client: answer 503 after this. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;
/** How often to try a dead Redis again; short, so a restarted one is found quickly. */
const RECONNECT_EVERY_MS = 100;

/**
 * Commands that would change the shared connection's mode or block it for every other caller.
 * Upstash serves some of them differently (SSE, per-request state); this dev server does not.
 */
const UNSUPPORTED = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "quit",
  "reset",
  "hello",
  "select",
  "auth",
  "shutdown",
  "blpop",
  "brpop",
  "blmove",
  "brpoplpush",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "wait",
  "waitaof",
]);

/** A request the protocol refuses: answered with `status` and Upstash's `{"error": ...}` body. */
class ProtocolError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {{ redisUrl: string, token: string, port?: number, host?: string }} options
 * @returns {Promise<UpstashServer>}
 */
export async function startUpstashServer(options) {
  const { redisUrl, token } = options ?? {};
  if (typeof redisUrl !== "string" || !/^redis:\/\/[^/]+/.test(redisUrl)) {
    throw new TypeError(`startUpstashServer: redisUrl must be a redis:// URL, got ${JSON.stringify(redisUrl)}`);
  }
  if (typeof token !== "string" || token.length === 0) {
    throw new TypeError("startUpstashServer: token must be a non-empty string");
  }
  const host = options.host ?? "127.0.0.1";
  const redis = new Redis(redisUrl, {
    protocol: 2, // Upstash answers in RESP2 shapes: arrays, never maps.
    enableOfflineQueue: false, // While Redis is down, fail at once instead of queueing.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: () => RECONNECT_EVERY_MS,
  });
  let lastRedisError = "";
  // Without a listener ioredis would crash the process; log each distinct failure once.
  redis.on("error", (error) => {
    if (error.message !== lastRedisError) console.error(`upstash-server: redis: ${error.message}`);
    lastRedisError = error.message;
  });
  redis.on("ready", () => {
    lastRedisError = "";
  });
  await readyOrTimeout(redis, 5_000);

  const expected = Buffer.from(`Bearer ${token}`);
  // Counted like Upstash bills: every authorized request, and every command in it.
  const stats = { requests: 0, commands: 0 };
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      const status = error instanceof ProtocolError ? error.status : 500;
      send(response, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });

  /** @param {import("node:http").IncomingMessage} request @param {import("node:http").ServerResponse} response */
  async function handle(request, response) {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (!authorized(request.headers.authorization ?? `Bearer ${url.searchParams.get("_token") ?? ""}`)) {
      throw new ProtocolError(401, "Unauthorized");
    }
    if (request.method !== "POST") throw new ProtocolError(405, "ERR only POST with a JSON body is supported");
    const body = parseJson(await readBody(request));
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const encode = (value) => encodeResult(value, base64);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/") {
      const command = toCommand(body);
      stats.requests += 1;
      stats.commands += 1;
      try {
        send(response, 200, { result: encode(await redis.callBuffer(command[0], ...command.slice(1))) });
      } catch (error) {
        throw redisFailure(error);
      }
      return;
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(body) || body.length === 0) {
        throw new ProtocolError(400, "ERR a pipeline is a non-empty array of commands");
      }
      const commands = body.map(toCommand);
      stats.requests += 1;
      stats.commands += commands.length;
      const batch = path === "/multi-exec" ? redis.multi() : redis.pipeline();
      for (const [name, ...args] of commands) batch.callBuffer(name, ...args);
      let results;
      try {
        results = await batch.exec();
      } catch (error) {
        // EXECABORT: a command was refused while queueing, so nothing ran.
        throw redisFailure(error);
      }
      if (!results) throw new ProtocolError(400, "ERR transaction aborted");
      const transportFailure = results.find(([error]) => error && !(error instanceof ReplyError));
      if (transportFailure) throw redisFailure(transportFailure[0]);
      send(
        response,
        200,
        results.map(([error, result]) => (error ? { error: error.message } : { result: encode(result) })),
      );
      return;
    }
    throw new ProtocolError(404, `ERR unknown endpoint ${path}: use /, /pipeline or /multi-exec`);
  }

  /** Constant-time comparison, so the token cannot be guessed byte by byte. */
  function authorized(header) {
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  const port = await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  return {
    url: `http://${host}:${port}`,
    token,
    stats: () => ({ ...stats }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      redis.disconnect();
    },
  };
}

/** A Redis reply error is the caller's (400); anything else means Redis is unreachable (503). */
function redisFailure(error) {
  if (error instanceof ReplyError) return new ProtocolError(400, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new ProtocolError(503, `ERR redis is unavailable: ${message}`);
}

/**
 * One command as Redis takes it: the name, then arguments as strings. JSON numbers and booleans
 * become strings as Upstash does; anything else is refused rather than guessed at.
 */
function toCommand(value) {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ProtocolError(400, 'ERR a command is a non-empty JSON array, e.g. ["GET","key"]');
  }
  const args = value.map((arg, index) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new ProtocolError(
      400,
      `ERR argument ${index} is ${arg === null ? "null" : typeof arg}: only strings, numbers and booleans are allowed`,
    );
  });
  const name = args[0].toLowerCase();
  if (UNSUPPORTED.has(name)) throw new ProtocolError(400, `ERR Command is not available: '${args[0]}'`);
  // Upper case keeps ioredis from reshaping replies (it transforms some lower-case names, e.g. hgetall).
  return [args[0].toUpperCase(), ...args.slice(1)];
}

/**
 * The reply as JSON: bulk strings (Buffers) as UTF-8 text, or base64 when the client asked for it,
 * recursively through arrays. Numbers and null stay as they are.
 */
function encodeResult(value, base64) {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return base64 ? value.toString("base64") : value.toString("utf8");
  if (typeof value === "string") return base64 ? Buffer.from(value).toString("base64") : value;
  if (Array.isArray(value)) return value.map((item) => encodeResult(item, base64));
  return value;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError(400, "ERR failed to parse the request body as JSON");
  }
}

/** @param {import("node:http").IncomingMessage} request */
async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ProtocolError(413, `ERR request larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** @param {import("node:http").ServerResponse} response */
function send(response, status, body) {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

/** Waits for the first connection, but starts anyway: requests answer 503 until Redis is up. */
function readyOrTimeout(redis, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** `node scripts/upstash-server.mjs`: a redis-server and the REST server in front of it, for wrangler dev. */
async function main(argv) {
  const option = (name) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const port = Number(option("port") ?? process.env.UPSTASH_LOCAL_PORT ?? 8079);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number, got ${option("port")}`);
  const token = option("token") ?? process.env.UPSTASH_REDIS_REST_TOKEN ?? randomBytes(24).toString("base64url");
  const redisServer = await startRedisServer();
  const upstash = await startUpstashServer({ redisUrl: redisServer.url, token, port });
  console.log(`redis-server on ${redisServer.url}`);
  console.log(`UPSTASH_REDIS_REST_URL=${upstash.url}`);
  console.log(`UPSTASH_REDIS_REST_TOKEN=${upstash.token}`);
  console.log("e.g. npx wrangler dev --var UPSTASH_REDIS_REST_URL:<url> --var UPSTASH_REDIS_REST_TOKEN:<token>");
  const shutdown = async () => {
    await upstash.stop();
    await redisServer.dispose();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
