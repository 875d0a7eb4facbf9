// The Mongo path, against wrangler dev with MONGODB_URI pointing at FerretDB 1.24 on loopback:
// 1. Mongo requests per message while R conversations chat (the archive writes in batches; the
//    target is well under one), counted by FerretDB itself, and the connections it accepted
//    against the pool's bound.
// 2. The purge of N expired accounts with a connection each (seeded through the driver), run by
//    the cron handler: seconds until none is left, and what remains in each collection.
// FerretDB 1.24 on SQLite uses no secondary index (its `explain` shows SCAN for every query but
// by `_id`), so purge times there grow with the collections: the requests per account carry over
// to Atlas, the seconds do not.
// Run: npx node bench/mongo.mjs [rooms=10] [accounts=10000]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { MongoClient } from "mongodb";
import { freePort } from "../scripts/dev-env.mjs";
import { startFerretDb } from "../scripts/ferretdb.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { signUp as signUpAs } from "./lib/client.mjs";
import { startServer } from "./lib/server.mjs";

const rooms = Number(process.argv[2] ?? 10);
const accounts = Number(process.argv[3] ?? 10_000);
const MESSAGES_PER_ROOM = 8;
/** The archive flush waits 1 s to batch, then the alarm writes. */
const SETTLE_MS = 3_000;
/** From server/adapters/mongo-store/client.ts and wrangler.toml: clients per host, hosts. */
const MAX_POOL_SIZE = 5;
const HOSTS = 4;
const PURGE_TIMEOUT_MS = Number(process.env.PURGE_TIMEOUT_MS ?? 600_000);

/** Established TCP connections to `port` on loopback now (Linux: /proc/net/tcp). */
function openConnections(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[2]?.endsWith(`:${hex}`) && fields[3] === "01";
    }).length;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ip = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

const ferret = await startFerretDb({ debugPort: await freePort() });
const uri = `${ferret.uri}bench_${Date.now().toString(36)}`;
const client = new MongoClient(uri);
const db = client.db();
await migrate(db);
// The bench's own client holds some connections too: the Worker's are the peak above these.
const ownConnections = openConnections(ferret.port);
let peakConnections = 0;
const sampler = setInterval(() => {
  peakConnections = Math.max(peakConnections, openConnections(ferret.port));
}, 100);
const server = await startServer({ name: "mongo", testScheduled: true, vars: { MONGODB_URI: uri } });
const origin = server.url;
const sockets = [];

async function call(path, cookie, body) {
  const response = await fetch(`${origin}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      Origin: origin,
      "CF-Connecting-IP": ip(),
      "Content-Type": "application/json",
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** A new person, signed up through the shared bench client. */
const signUp = (name) => signUpAs(origin, `${name}_${Math.random().toString(36).slice(2, 9)}`);

function open(path, cookie, onFrame = () => {}) {
  const ws = new WebSocket(`${origin.replace("http", "ws")}${path}`, { headers: { Cookie: cookie, Origin: origin } });
  ws.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws));
    ws.addEventListener("error", reject);
  });
}

const total = (requests) => Object.values(requests).reduce((sum, count) => sum + count, 0);
const difference = (after, before) =>
  Object.fromEntries(
    Object.entries(after.requests)
      .map(([command, count]) => [command, count - (before.requests[command] ?? 0)])
      .filter(([, count]) => count > 0),
  );

async function messagesScenario() {
  const pairs = [];
  for (let i = 0; i < rooms; i++) {
    const ann = await signUp("ann");
    const bob = await signUp("bob");
    const added = await call("/api/connections", ann.cookie, { userId: bob.user.id });
    pairs.push({ ann, bob, conversationId: (await added.json()).connection.conversationId });
  }
  let delivered = 0;
  const senders = [];
  const refusals = [];
  for (const { ann, bob, conversationId } of pairs) {
    const path = `/api/conversations/${conversationId}/ws`;
    await open(path, bob.cookie, (frame) => {
      if (frame.type === "message") delivered += 1;
    });
    senders.push(
      await open(path, ann.cookie, (frame) => {
        if (frame.type === "error") refusals.push(frame.code);
      }),
    );
  }
  await sleep(SETTLE_MS);
  const before = await ferret.metrics();
  // 4 messages a second per conversation, inside the per-socket limit.
  for (let i = 0; i < MESSAGES_PER_ROOM; i++) {
    for (const [index, ws] of senders.entries())
      ws.send(JSON.stringify({ type: "send", id: `m${index}-${i}`, body: `hello ${i}` }));
    await sleep(250);
  }
  const sent = MESSAGES_PER_ROOM * senders.length;
  const deadline = Date.now() + 10_000;
  while (delivered < sent && Date.now() < deadline) await sleep(50);
  await sleep(SETTLE_MS);
  const after = await ferret.metrics();
  const archived = await db.collection("messages").countDocuments({});
  const byCommand = difference(after, before);
  const requests = total(after.requests) - total(before.requests);
  console.log(`\n## Messages: ${rooms} conversations × ${MESSAGES_PER_ROOM} messages at 4/s (MONGODB_HOSTS=${HOSTS})`);
  console.log(`sent ${sent}, delivered ${delivered}, archived ${archived}, refused ${JSON.stringify(refusals)}`);
  console.log(`Mongo requests during the run: ${requests} (${(requests / sent).toFixed(3)} per message)`);
  console.log(`  by command: ${JSON.stringify(byCommand)}`);
  console.log(`  inserts per message: ${((byCommand.insert ?? 0) / sent).toFixed(3)}`);
  console.log(
    `connections open at once from the Worker, at most: ${peakConnections - ownConnections} (bound: ${HOSTS} hosts × (${MAX_POOL_SIZE} pooled + 2 monitoring) = ${HOSTS * (MAX_POOL_SIZE + 2)}); accepted since start: ${after.accepted}`,
  );
  for (const ws of sockets.splice(0)) ws.close();
  return {
    sent,
    delivered,
    archived,
    refusals,
    requests,
    perMessage: requests / sent,
    byCommand,
    peakConnections: peakConnections - ownConnections,
  };
}

/** N expired accounts in pairs, each pair connected, with a conversation and one archived message. */
async function seed(count) {
  const now = Date.now();
  const run = Date.now().toString(36);
  const users = [];
  for (let i = 0; i < count; i++) {
    const username = `purge_${run}_${i}`;
    users.push({
      _id: `purge-${run}-${i}`,
      username,
      usernameKey: username,
      passwordHash: "x",
      createdAt: now - 7_200_000,
      expiresAt: now - 3_600_000 + i,
      trigrams: [],
    });
  }
  const connections = [];
  const conversations = [];
  const messages = [];
  for (let i = 0; i + 1 < count; i += 2) {
    const [low, high] = [users[i]._id, users[i + 1]._id].sort();
    const conversationId = `dm_purge_${run}_${i}`;
    connections.push({ _id: `${low}:${high}`, userLow: low, userHigh: high, conversationId, createdAt: now });
    conversations.push({ _id: conversationId, members: [low, high], createdAt: now, closed: false });
    messages.push({
      _id: `${conversationId}:1`,
      conversationId,
      seq: 1,
      clientId: "c1",
      senderId: low,
      body: "bye",
      sentAt: now,
    });
  }
  for (const [name, docs] of [
    ["users", users],
    ["connections", connections],
    ["conversations", conversations],
    ["messages", messages],
  ]) {
    for (let i = 0; i < docs.length; i += 1_000) await db.collection(name).insertMany(docs.slice(i, i + 1_000));
  }
  return run;
}

async function purgeScenario() {
  const seeded = Date.now();
  const run = await seed(accounts);
  const seedSeconds = (Date.now() - seeded) / 1000;
  const remaining = () => db.collection("users").countDocuments({ _id: { $regex: `^purge-${run}-` } });
  const before = await ferret.metrics();
  const started = Date.now();
  let runs = 0;
  let running = null;
  // The handler answers when its run ends; one run may stop early (a failing account), and the
  // cron runs again, as every 10 minutes.
  const cron = () => {
    runs += 1;
    running = fetch(`${origin}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/10 * * * *")}`, {
      signal: AbortSignal.timeout(PURGE_TIMEOUT_MS),
    })
      .then((response) => response.arrayBuffer())
      .catch((error) => console.error(`  cron run: ${error.message}`))
      .finally(() => {
        running = null;
      });
  };
  cron();
  let left = await remaining();
  let reported = started;
  while (left > 0 && Date.now() - started < PURGE_TIMEOUT_MS) {
    await sleep(1_000);
    left = await remaining();
    if (Date.now() - reported >= 10_000) {
      reported = Date.now();
      console.log(`  ${left} accounts left after ${((reported - started) / 1000).toFixed(0)} s`);
    }
    if (left > 0 && !running) cron();
  }
  const seconds = (Date.now() - started) / 1000;
  const after = await ferret.metrics();
  const byCommand = difference(after, before);
  const requests = total(after.requests) - total(before.requests);
  const purged = accounts - left;
  const leftovers = {
    users: left,
    connections: await db.collection("connections").countDocuments({ _id: { $regex: `^purge-${run}-` } }),
    conversations: await db.collection("conversations").countDocuments({ _id: { $regex: `^dm_purge_${run}_` } }),
    messages: await db.collection("messages").countDocuments({ conversationId: { $regex: `^dm_purge_${run}_` } }),
  };
  console.log(
    `\n## Purge of ${accounts} expired accounts on Mongo (${accounts / 2} connections, conversations, messages)`,
  );
  console.log(`seeded in ${seedSeconds.toFixed(1)} s; purged in ${seconds.toFixed(1)} s over ${runs} cron run(s)`);
  console.log(`left: ${JSON.stringify(leftovers)}`);
  console.log(
    `Mongo requests: ${requests} (${(requests / Math.max(purged, 1)).toFixed(1)} per account removed); by command: ${JSON.stringify(byCommand)}`,
  );
  if (left > 0) console.log(`wrangler said:\n${server.output().slice(-2_000)}`);
  return { accounts, seconds, runs, leftovers, requests, perAccount: requests / Math.max(purged, 1), byCommand };
}

try {
  const messages = await messagesScenario();
  const purge = accounts > 0 ? await purgeScenario() : null;
  const date = new Date().toISOString();
  const results = new URL("./results/", import.meta.url);
  mkdirSync(results, { recursive: true });
  const file = new URL(`mongo-${date.replaceAll(":", "-").replaceAll(".", "-")}.json`, results);
  writeFileSync(file, `${JSON.stringify({ date, rooms, accounts, messages, purge }, null, 2)}\n`);
  console.log(`\nwrote ${file.pathname}`);
} catch (error) {
  console.error(error);
  console.error(server.output().slice(-3_000));
  process.exitCode = 1;
} finally {
  for (const ws of sockets) ws.close();
  await server.stop();
  clearInterval(sampler);
  await client.close();
  await ferret.stop();
}
