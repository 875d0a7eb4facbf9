// Per message, from the app's own counters (server/counters.ts, on with BENCH_COUNTERS=1): rows
// written, transactions, cross-object calls and network calls, in one two-person conversation,
// for the embedded default and for MongoDB (FerretDB) + Upstash (the local REST server in front of
// redis-server). Two cases: both members in the room (the target: 1 transaction in the room, 0
// awaited calls before the ack, at most 2 cross-object calls in all), and one member away from
// the room with only their hub socket open (the room's hub notices, coalesced per 250 ms).
// The servers' own counts (FerretDB's requests, the REST server's requests) are kept beside the
// app's, as a check on the instrumentation. Then per request: a few typical API calls by one of
// the pair, each counted alone.
// Run: npx node bench/per-message.mjs [--messages 40] [--only embedded|mongo-upstash] [--root <checkout>]
// (`--root`: another checkout's app, its dist/web built, e.g. an older commit for a before/after)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import { freePort } from "../scripts/dev-env.mjs";
import { startFerretDb } from "../scripts/ferretdb.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { startRedisServer } from "../scripts/redis-server.mjs";
import { startUpstashServer } from "../scripts/upstash-server.mjs";
import { closeAll, makePairs, mapLimit, openSocket, projectSocket, signUp, sleep } from "./lib/client.mjs";
import { snapshotApp, startServer } from "./lib/server.mjs";

/** Longer than the archive's batching delay (1 s) plus a flush, and the hub notices' 250 ms. */
const SETTLE_MS = 2_500;
/** Each member's send rate: inside the per-socket bucket (5/s) and the per-user window (120/min). */
const PER_PERSON = 4;
/** Each typical request is counted over this many calls, after one call that is not counted. */
const CALLS_PER_REQUEST = 5;
/** Long enough for what a response leaves running (work after it, fan-out to hubs) to be done. */
const REQUEST_SETTLE_MS = 1_000;

export const CONFIGS = ["embedded", "mongo-upstash"];

/**
 * Both cases and the typical requests on one server per configuration. `app` is a snapshot from
 * snapshotApp(); `messages` per case. Returns { [config]: { present, absent, requests } }: the
 * cases per message, `requests` { [request]: counts per call }.
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
      const [pair] = await makePairs(server.url, "pm_", 1);
      results[config] = {
        ...(await bothCases(server, backing, pair, messages)),
        requests: await perRequest(server, pair),
      };
    } finally {
      await server.stop();
      await backing?.stop();
    }
  }
  return results;
}

async function bothCases(server, backing, pair, messages) {
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
  const { totals, byPlace } = divided(counted, messages);
  return {
    messages,
    perMessage: totals,
    byPlace,
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

/**
 * Typical API requests (API.md) by the pair's first member, each counted over CALLS_PER_REQUEST
 * calls in a window of its own. Returns { [request]: { totals, byPlace } }, per call.
 */
async function perRequest(server, pair) {
  // A connection request needs someone new each call: one for each, and one for the uncounted call.
  const asked = await mapLimit([...Array(CALLS_PER_REQUEST + 1).keys()], 4, (n) => signUp(server.url, `pr_${n}`));
  // What closing the cases' sockets set going (presence, the hub) is over before the first window.
  await sleep(SETTLE_MS);
  const results = {};
  for (const { label, status, call } of typicalRequests(server.url, pair, asked)) {
    await expectStatus(await call(0), status, label);
    await sleep(REQUEST_SETTLE_MS);
    await readCounters(server);
    for (let n = 1; n <= CALLS_PER_REQUEST; n++) await expectStatus(await call(n), status, label);
    await sleep(REQUEST_SETTLE_MS);
    results[label] = divided(await readCounters(server), CALLS_PER_REQUEST);
  }
  return results;
}

/** { label, status, call(n) }: what a signed-in person does most; `n` picks whom a request asks. */
function typicalRequests(origin, { a, conversationId }, asked) {
  const as = (method, path, body) =>
    fetch(`${origin}${path}`, {
      method,
      headers: {
        Origin: origin,
        Cookie: a.cookie,
        "CF-Connecting-IP": a.ip,
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  return [
    {
      label: "POST /api/auth/login",
      status: 200,
      call: () =>
        fetch(`${origin}/api/auth/login`, {
          method: "POST",
          headers: { Origin: origin, "Content-Type": "application/json", "CF-Connecting-IP": a.ip },
          body: JSON.stringify({ username: a.user.username, password: "bench password 1" }),
        }),
    },
    { label: "GET /api/me", status: 200, call: () => as("GET", "/api/me") },
    { label: "GET /api/connections", status: 200, call: () => as("GET", "/api/connections") },
    { label: "GET /api/conversations/:id", status: 200, call: () => as("GET", `/api/conversations/${conversationId}`) },
    {
      label: "GET /api/conversations/:id/messages (50)",
      status: 200,
      call: () => as("GET", `/api/conversations/${conversationId}/messages?limit=50`),
    },
    {
      label: "POST /api/connections (a request)",
      status: 201,
      call: (n) => as("POST", "/api/connections", { userId: asked[n].user.id }),
    },
  ];
}

async function expectStatus(response, status, label) {
  if (response.status !== status) throw new Error(`${label}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** The counts divided by `n`, by kind and by place; the driver's heartbeats stay out of the totals. */
function divided(counted, n) {
  const per = (x) => Number((x / n).toFixed(3));
  // Counted apart: no message or request causes them (FerretDB counts both).
  const monitoring = counted.by["networkCalls.mongo-monitoring"] ?? 0;
  const totals = { ...counted.totals, networkCalls: counted.totals.networkCalls - monitoring };
  return {
    totals: Object.fromEntries(Object.entries(totals).map(([kind, x]) => [kind, per(x)])),
    byPlace: Object.fromEntries(Object.entries(counted.by).map(([key, x]) => [key, per(x)])),
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

/** The tables: per message, a row per configuration and case; per request, a row per configuration and request. */
export function printPerMessage(results) {
  const f = (n) => (n === undefined ? "–" : String(Number(n.toFixed(2))));
  console.log("\nPer message (the app's counters, BENCH_COUNTERS=1), one two-person conversation, 4 msg/s per sender:");
  console.log("| Store + Cache | case | rows written | transactions | cross-object calls | network calls | by place |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [config, { present, absent }] of Object.entries(results)) {
    for (const [name, c] of Object.entries({ present, absent })) {
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
  printPerRequest(results, f);
}

function printPerRequest(results, f) {
  console.log(`\nPer request (the app's counters), each the mean of ${CALLS_PER_REQUEST} calls by one of the pair:`);
  console.log(
    "| Store + Cache | request | cross-object calls | network calls | rows written | transactions | by place |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const [config, { requests }] of Object.entries(results)) {
    for (const [label, { totals: t, byPlace }] of Object.entries(requests ?? {})) {
      const places = Object.entries(byPlace)
        .map(([key, n]) => `${key} ${f(n)}`)
        .join(", ");
      console.log(
        `| ${config} | ${label} | ${f(t.crossObjectCalls)} | ${f(t.networkCalls)} | ${f(t.rowsWritten)} | ${f(t.transactions)} | ${places} |`,
      );
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const messages = Number(option("--messages") ?? 40);
  const only = option("--only");
  const root = option("--root");
  const app = snapshotApp(root ? { root: resolve(root) } : {});
  try {
    const results = await perMessage({ app, messages, configs: only ? [only] : CONFIGS });
    console.log(JSON.stringify(results, null, 2));
    printPerMessage(results);
  } finally {
    app.stop();
  }
}
