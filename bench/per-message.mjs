// Per message, from the app's own counters (server/counters.ts, on with BENCH_COUNTERS=1): rows
// written, transactions, cross-object calls and network calls, in one two-person conversation,
// for the embedded default and for MongoDB (FerretDB) + Upstash (the local REST server in front of
// redis-server). Two cases: both members in the room (the target: 1 transaction in the room, 0
// awaited calls before the ack, at most 2 cross-object calls in all), and one member away from
// the room with only their hub socket open (the room's hub notices, coalesced per 250 ms).
// The servers' own counts (FerretDB's requests, the REST server's requests) are kept beside the
// app's, as a check on the instrumentation.
// Run: npx node bench/per-message.mjs [--messages 40] [--only embedded|mongo-upstash]
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import { freePort } from "../scripts/dev-env.mjs";
import { startFerretDb } from "../scripts/ferretdb.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { startRedisServer } from "../scripts/redis-server.mjs";
import { startUpstashServer } from "../scripts/upstash-server.mjs";
import { closeAll, makePairs, openSocket, projectSocket, sleep } from "./lib/client.mjs";
import { snapshotApp, startServer } from "./lib/server.mjs";

/** Longer than the archive's batching delay (1 s) plus a flush, and the hub notices' 250 ms. */
const SETTLE_MS = 2_500;
/** Each member's send rate: inside the per-socket bucket (5/s) and the per-user window (120/min). */
const PER_PERSON = 4;

export const CONFIGS = ["embedded", "mongo-upstash"];

/**
 * Both cases on one server per configuration. `app` is a snapshot from snapshotApp(); `messages`
 * per case. Returns { [config]: { present, absent } }, each per message.
 */
export async function perMessage({ app, messages = 40, configs = CONFIGS, log = console.error }) {
  const results = {};
  for (const config of configs) {
    log(`per message: ${config}`);
    const backing = config === "mongo-upstash" ? await startMongoAndUpstash() : null;
    const server = await startServer({
      name: `counters-${config}`,
      config: app.config,
      noBundle: true,
      vars: { BENCH_COUNTERS: "1", ...(backing?.vars ?? {}) },
    });
    try {
      results[config] = await bothCases(server, backing, messages);
    } finally {
      await server.stop();
      await backing?.stop();
    }
  }
  return results;
}

async function bothCases(server, backing, messages) {
  const [pair] = await makePairs(server.url, "pm_", 1);
  const received = { a: [], b: [], hub: [] };
  const frames = (key) => (frame) => received[key].push(frame);
  const a = await projectSocket(server.url, pair.a, pair.conversationId, frames("a"));
  const b = await projectSocket(server.url, pair.b, pair.conversationId, frames("b"));
  const sockets = [a, b];
  try {
    // The room is awake and each sender's stored characters are known before any window.
    await exchange([a, b], ["a", "b"], received, 2, "warm");
    const present = await window(server, backing, messages, () =>
      exchange([a, b], ["a", "b"], received, messages, "present"),
    );
    // b leaves the chat but keeps the app open: their hub hears of new messages from the room.
    b.close();
    const hub = await openSocket(
      `${server.url.replace("http", "ws")}/api/me/ws`,
      { Cookie: pair.b.cookie, Origin: server.url, "CF-Connecting-IP": pair.b.ip },
      frames("hub"),
    );
    sockets.push(hub);
    const absent = await window(server, backing, messages, () => exchange([a], ["a"], received, messages, "absent"));
    absent.hubNoticesReceived = received.hub.filter((frame) => frame.type === "unread").length;
    return { present, absent };
  } finally {
    closeAll(sockets);
  }
}

/** Sends `count` messages from the senders in turn at PER_PERSON each; resolves once each was acked and delivered. */
async function exchange(senders, keys, received, count, tag) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const s = i % senders.length;
    const id = `${tag}-${i}`;
    ids.push(id);
    senders[s].send(JSON.stringify({ type: "send", id, body: `${tag} message ${i}` }));
    await sleep(1000 / (PER_PERSON * senders.length));
  }
  const deadline = Date.now() + 10_000;
  const seen = (key, type) =>
    new Set(received[key].filter((f) => f.type === type).map((f) => (type === "ack" ? f.id : f.message.id)));
  while (Date.now() < deadline) {
    const acked = new Set(keys.flatMap((key) => [...seen(key, "ack")]));
    const delivered = keys.map((key) => seen(key, "message"));
    if (ids.every((id) => acked.has(id) && delivered.every((at) => at.has(id)))) break;
    await sleep(50);
  }
  const errors = keys.flatMap((key) => received[key].filter((f) => f.type === "error"));
  if (errors.length > 0) throw new Error(`refused: ${JSON.stringify(errors.slice(0, 3))}`);
}

/** The app's counters and the servers' own counts over `work`, per message. */
async function window(server, backing, messages, work) {
  await sleep(SETTLE_MS);
  await readCounters(server);
  const before = await backing?.external();
  await work();
  await sleep(SETTLE_MS);
  const counted = await readCounters(server);
  const after = await backing?.external();
  const per = (n) => Number((n / messages).toFixed(3));
  // The driver's heartbeats are counted apart: no message causes them (FerretDB counts both).
  const monitoring = counted.by["networkCalls.mongo-monitoring"] ?? 0;
  const totals = { ...counted.totals, networkCalls: counted.totals.networkCalls - monitoring };
  return {
    messages,
    perMessage: Object.fromEntries(Object.entries(totals).map(([kind, n]) => [kind, per(n)])),
    byPlace: Object.fromEntries(Object.entries(counted.by).map(([key, n]) => [key, per(n)])),
    totals: counted.by,
    ...(backing
      ? {
          servers: {
            mongoRequests: per(after.mongo - before.mongo),
            upstashRequests: per(after.upstash - before.upstash),
            mongoByCommand: Object.fromEntries(
              Object.entries(after.mongoByCommand)
                .map(([command, n]) => [command, n - (before.mongoByCommand[command] ?? 0)])
                .filter(([, n]) => n > 0),
            ),
          },
        }
      : {}),
  };
}

async function readCounters(server) {
  const response = await fetch(`${server.url}/api/__bench/counters`);
  if (!response.ok) throw new Error(`counters: ${response.status} (is BENCH_COUNTERS=1 passed?)`);
  return response.json();
}

async function startMongoAndUpstash() {
  const ferret = await startFerretDb({ debugPort: await freePort() });
  const uri = `${ferret.uri}bench_counters_${Date.now().toString(36)}`;
  const client = new MongoClient(uri);
  await migrate(client.db());
  await client.close();
  const redis = await startRedisServer();
  const upstash = await startUpstashServer({ redisUrl: redis.url, token: crypto.randomUUID() });
  return {
    vars: { MONGODB_URI: uri, UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
    external: async () => {
      const { requests } = await ferret.metrics();
      const mongo = Object.values(requests).reduce((a, n) => a + n, 0);
      return { mongo, mongoByCommand: requests, upstash: upstash.stats().requests };
    },
    stop: async () => {
      await upstash.stop();
      await redis.dispose();
      await ferret.stop();
    },
  };
}

/** The table rows: one per configuration and case. */
export function printPerMessage(results) {
  const f = (n) => (n === undefined ? "–" : String(Number(n.toFixed(2))));
  console.log("\nPer message (the app's counters, BENCH_COUNTERS=1), one two-person conversation, 4 msg/s per sender:");
  console.log("| Store + Cache | case | rows written | transactions | cross-object calls | network calls | by place |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [config, cases] of Object.entries(results)) {
    for (const [name, c] of Object.entries(cases)) {
      const p = c.perMessage;
      const places = Object.entries(c.byPlace)
        .map(([key, n]) => `${key} ${f(n)}`)
        .join(", ");
      const servers = c.servers
        ? `; counted by the servers: FerretDB ${f(c.servers.mongoRequests)} (heartbeats too), Upstash ${f(c.servers.upstashRequests)}`
        : "";
      const label = name === "present" ? "both present" : `one absent (${c.hubNoticesReceived} hub notices)`;
      console.log(
        `| ${config} | ${label} | ${f(p.rowsWritten)} | ${f(p.transactions)} | ${f(p.crossObjectCalls)} | ${f(p.networkCalls)} | ${places}${servers} |`,
      );
    }
  }
  console.log(
    "Awaited calls before the ack: 0 by construction (the room's send path is synchronous; upstash-calls.mjs times the ack while Redis hangs).",
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const messages = Number(option("--messages") ?? 40);
  const only = option("--only");
  const app = snapshotApp();
  try {
    const results = await perMessage({ app, messages, configs: only ? [only] : CONFIGS });
    console.log(JSON.stringify(results, null, 2));
    printPerMessage(results);
  } finally {
    app.stop();
  }
}
