// The Store outage: how long signed-in reads, socket upgrades and a state change take while
// MongoDB does not answer, against the same requests with it up, in one run. FerretDB 1.24 on
// loopback behind MONGODB_URI; two people connect and chat, then N rounds of each request with
// FerretDB up, then FerretDB is stopped (a Store call then fails only after the driver's server
// selection, up to 2.5 s) and the same N rounds run again. Every round sends one of each, in turn, and rounds
// are GAP_MS apart, so that the outage's rounds span more than one of the Store breaker's 5 s
// windows: each window ends with one request that asks MongoDB again (the probe) and waits.
// Run: npx node bench/outage.mjs [--requests 30] [--root <another checkout, e.g. from git archive>]
// (also `npm run bench -- --only outage`)
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import { startFerretDb } from "../scripts/ferretdb.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { closeAll, connectPair, openSocket, percentile, projectSocket, signUp, sleep } from "./lib/client.mjs";
import { snapshotApp, startServer } from "./lib/server.mjs";

/** Between rounds: 30 rounds then take about 10 s. */
const GAP_MS = 250;

/** What each round asks, in this order. */
const REQUESTS = [
  "GET /api/me",
  "GET /api/conversations/:id/messages",
  "socket upgrade /api/conversations/:id/ws",
  "DELETE /api/blocks/:id (a state change)",
];

/**
 * `app`: a snapshot from snapshotApp() (or `root`: another checkout, served as it is). Returns
 * { requests, up, down }, each { [request]: { p50, p90, max, overOneSecond, statuses } } in ms.
 */
export async function outageScenario({ app, root, requests = 30, log = console.error }) {
  const ferret = await startFerretDb();
  const uri = `${ferret.uri}bench_outage_${Date.now().toString(36)}`;
  const client = new MongoClient(uri);
  await migrate(client.db());
  await client.close();
  const server = await startServer({
    name: "outage",
    ...(root ? { root } : { config: app.config, noBundle: true }),
    vars: { MONGODB_URI: uri },
  });
  try {
    const origin = server.url;
    const suffix = Math.random().toString(36).slice(2, 8);
    const ann = await signUp(origin, `ann_${suffix}`);
    const bob = await signUp(origin, `bob_${suffix}`);
    const conversationId = await connectPair(origin, ann, bob);
    // A message, so the room knows both members and history has something to answer.
    const acked = [];
    const ws = await projectSocket(origin, ann, conversationId, (frame) => {
      if (frame.type === "ack") acked.push(frame);
    });
    ws.send(JSON.stringify({ type: "send", id: "before-outage", body: "said before the outage" }));
    for (let i = 0; i < 100 && acked.length === 0; i++) await sleep(50);
    if (acked.length === 0) throw new Error("the message was not acknowledged");
    closeAll([ws]);

    const round = roundOf(origin, ann, bob, conversationId);
    log(`outage: ${requests} rounds with FerretDB up`);
    const up = await measure(round, requests);
    await ferret.stop();
    log(`outage: FerretDB stopped; ${requests} rounds`);
    const down = await measure(round, requests);
    return { requests, up, down };
  } finally {
    await server.stop();
    await ferret.stop();
    if (ferret.dataDir) rmSync(ferret.dataDir, { recursive: true, force: true });
  }
}

/** One request of each kind: its time in ms and its status (101 for a socket that opened). */
function roundOf(origin, ann, bob, conversationId) {
  const headers = (person) => ({ Origin: origin, Cookie: person.cookie, "CF-Connecting-IP": person.ip });
  const timed = async (work) => {
    const t0 = performance.now();
    const status = await work();
    return { ms: performance.now() - t0, status };
  };
  const answer = async (path, person, method = "GET") => {
    const response = await fetch(`${origin}${path}`, { method, headers: headers(person) });
    await response.arrayBuffer();
    return response.status;
  };
  return {
    "GET /api/me": () => timed(() => answer("/api/me", ann)),
    "GET /api/conversations/:id/messages": () =>
      timed(() => answer(`/api/conversations/${conversationId}/messages`, bob)),
    "socket upgrade /api/conversations/:id/ws": () =>
      timed(async () => {
        const url = `${origin.replace("http", "ws")}/api/conversations/${conversationId}/ws`;
        const opened = await openSocket(url, headers(bob), () => {}).then(
          (socket) => socket,
          () => null,
        );
        if (opened) closeAll([opened]);
        return opened ? 101 : "refused";
      }),
    "DELETE /api/blocks/:id (a state change)": () =>
      timed(() => answer(`/api/blocks/${crypto.randomUUID()}`, ann, "DELETE")),
  };
}

async function measure(round, requests) {
  const samples = Object.fromEntries(REQUESTS.map((name) => [name, []]));
  for (let i = 0; i < requests; i++) {
    for (const name of REQUESTS) samples[name].push(await round[name]());
    await sleep(GAP_MS);
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      const ms = list.map((sample) => sample.ms);
      const statuses = {};
      for (const { status } of list) statuses[status] = (statuses[status] ?? 0) + 1;
      const overOneSecond = ms.filter((value) => value > 1_000).length;
      return [
        name,
        { p50: percentile(ms, 0.5), p90: percentile(ms, 0.9), max: Math.max(...ms), overOneSecond, statuses },
      ];
    }),
  );
}

export function printOutage(result) {
  const ms = (v) => (v >= 100 ? `${Math.round(v)}` : v.toFixed(1));
  const side = (x) => `${ms(x.p50)} / ${ms(x.p90)} (max ${ms(x.max)}; ${x.overOneSecond} over 1 s)`;
  const statuses = (x) =>
    Object.entries(x.statuses)
      .map(([status, n]) => `${n}× ${status}`)
      .join(", ");
  console.log(`\nStore outage: ${result.requests} of each, FerretDB up, then stopped (ms, p50 / p90)`);
  console.log("| request | FerretDB up | FerretDB stopped | answers while stopped |");
  console.log("|---|---|---|---|");
  for (const name of REQUESTS) {
    const up = result.up[name];
    const down = result.down[name];
    console.log(`| ${name} | ${side(up)} | ${side(down)} | ${statuses(down)} |`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const option = (name) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const requests = Number(option("--requests") ?? 30);
  const root = option("--root") ? resolve(option("--root")) : undefined;
  const app = root ? null : snapshotApp();
  try {
    const result = await outageScenario({ app, root, requests });
    console.log(JSON.stringify(result, null, 2));
    printOutage(result);
  } finally {
    app?.stop();
  }
}
