// npm run bench [-- --quick] [-- --profile] [-- --only purge] [-- --purge N] [-- --only outage]
// The message path measured against the platform's own floor, in one run on this machine:
// a bare hibernation Durable Object (bench/baseline) and the project, both under the pinned
// `wrangler dev`, each with its own --persist-to. Prints a table, writes JSON to bench/results/.
// Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, relative, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import { gzipSync } from "node:zlib";
import { offlineEnv, projectRoot } from "../scripts/dev-env.mjs";
import { measureFirstPage } from "./bundle-size.mjs";
import { GROUP_SIZE, groupScenario } from "./group.mjs";
import {
  baselineSocket,
  closeAll,
  Ledger,
  makePairs,
  mapLimit,
  pace,
  projectSocket,
  seedPairs,
  signUp,
  sleep,
} from "./lib/client.mjs";
import { rssMiB, snapshotApp, startServer } from "./lib/server.mjs";
import { outageScenario, printOutage } from "./outage.mjs";
import { perMessage, printPerMessage } from "./per-message.mjs";
import { profileRoom } from "./profile.mjs";

const quick = process.argv.includes("--quick");
const withProfile = process.argv.includes("--profile");
/** `--only <scenario>`: that scenario alone (conversations, group, resume, sockets, purge, sizes, upstash, outage). */
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const runs = (scenario) => only === null || only === scenario;
/** `--purge N`: the purge scenario with N accounts (even) instead of the plan's. */
const purgeFlag = process.argv.includes("--purge") ? Number(process.argv[process.argv.indexOf("--purge") + 1]) : null;
if (purgeFlag !== null && !(Number.isInteger(purgeFlag) && purgeFlag >= 2 && purgeFlag % 2 === 0)) {
  throw new Error("--purge takes an even number of accounts, e.g. --purge 2000");
}
const PLAN = quick
  ? {
      levels: [5, 20],
      seconds: 5,
      groupSeconds: 15,
      sockets: { conversations: 20, seconds: 10 },
      resume: 240,
      purge: 1000,
    }
  : {
      levels: [5, 20, 60, 120],
      seconds: 20,
      groupSeconds: 60,
      sockets: { conversations: 200, seconds: 60 },
      resume: 1000,
      purge: 10_000,
    };
const PURGE_ACCOUNTS = purgeFlag ?? PLAN.purge;
/** The purge run counts as over when its accounts' count has not moved for this long. */
const STALL_MS = 20_000;
/** Each person's send rate: inside the per-socket bucket (burst 10, then 5/s). */
const PER_PERSON = 4;
/** Sockets per conversation in the many-sockets scenario: one member in 3 tabs, the other in 2. */
const TABS = [3, 2];
const DRAIN_MS = 5_000;
const started = new Date();
const log = (...parts) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...parts);

const results = {
  date: started.toISOString(),
  command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
  quick,
  only,
  machine: machine(),
  plan: { ...PLAN, perPersonPerSecond: PER_PERSON, tabs: TABS },
};
const servers = [];
const stopAll = () => Promise.allSettled(servers.splice(0).map((server) => server.stop()));
process.on("SIGINT", () => stopAll().then(() => process.exit(130)));

// Everything below serves this snapshot of the app: others saving files cannot restart it mid-run.
const app = snapshotApp();
const appServer = (options) => startServer({ ...options, config: app.config, noBundle: true });
const baselineServer = (name) => startServer({ name, config: "bench/baseline/wrangler.toml", healthPath: "/health" });
try {
  if (runs("sizes")) {
    log("sizes");
    results.sizes = sizes(app);
  }
  if (runs("conversations")) {
    log("starting the baseline and the project");
    const baseline = await baselineServer("baseline");
    servers.push(baseline);
    const project = await appServer({ name: "project" });
    servers.push(project);
    results.conversations = await conversations(baseline, project);
    await stopAll();
  }
  if (runs("group")) {
    log(`a group of ${GROUP_SIZE} (bench/group.mjs): the baseline relaying to ${GROUP_SIZE} sockets, then the project`);
    const baseline = await baselineServer("baseline-group");
    servers.push(baseline);
    const project = await appServer({ name: "group" });
    servers.push(project);
    results.group = await groupScenario({ baseline, project, seconds: PLAN.groupSeconds });
    await stopAll();
  }
  if (runs("resume")) {
    log("resume after missed messages");
    results.resume = await resume();
  }
  if (runs("sockets")) {
    log("many open sockets");
    results.sockets = await manySockets();
  }
  if (runs("purge")) {
    log("purge");
    results.purge = await purge();
  }
  if (only === null) {
    log("per message from the app's counters (bench/per-message.mjs)");
    results.perMessage = await perMessage({ app, log });
  }
  if (runs("outage")) {
    log("the Store outage (bench/outage.mjs): FerretDB up, then stopped");
    results.outage = await outageScenario({ app, requests: quick ? 10 : 30, log });
  }
  if (runs("upstash")) {
    log("Upstash calls per message (bench/upstash-calls.mjs)");
    results.upstashCalls = upstashCalls();
  }
  if (withProfile) {
    log("CPU profile at R=20");
    results.profile = await profileRoom({ rooms: 20, seconds: quick ? 5 : 10, app });
  }
} finally {
  await stopAll();
  app.stop();
}
results.machine.loadAverageAtEnd = loadavg().map((n) => Number(n.toFixed(2)));
results.durationSeconds = Math.round((Date.now() - started) / 1000);

const dir = resolve(projectRoot, "bench/results");
mkdirSync(dir, { recursive: true });
const suffix = `${quick ? "-quick" : ""}${only ? `-only-${only}` : ""}`;
const file = join(dir, `bench-${started.toISOString().replace(/[:.]/g, "-")}${suffix}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
// A run of one scenario does not replace the whole run's latest.json.
if (only === null) writeFileSync(join(dir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
printTable(results);
console.log(`\nJSON: ${relative(projectRoot, file)}${only === null ? " (also bench/results/latest.json)" : ""}`);

// ---------------------------------------------------------------------------------------------

/** R pairs at PER_PERSON msg/s each, baseline and project alternating per level. */
async function conversations(baseline, project) {
  log(`signing up ${PLAN.levels.reduce((a, r) => a + 2 * r, 0)} people for the project (PBKDF2, before any window)`);
  const t0 = performance.now();
  const pairsByLevel = new Map();
  for (const rooms of PLAN.levels) pairsByLevel.set(rooms, await makePairs(project.url, `c${rooms}_`, rooms));
  const setupSeconds = (performance.now() - t0) / 1000;
  const levels = [];
  for (const [index, rooms] of PLAN.levels.entries()) {
    const order = index % 2 === 0 ? ["baseline", "project"] : ["project", "baseline"];
    const level = { rooms, offeredPerSecond: rooms * 2 * PER_PERSON };
    for (const which of order) {
      log(`R=${rooms} ${which}`);
      const open =
        which === "baseline"
          ? (pair, side, handler) =>
              baselineSocket(baseline.url, `r${rooms}-${pair.index}`, `${side}${pair.index}`, handler)
          : (pair, side, handler) => projectSocket(project.url, pair[side], pair.conversationId, handler);
      const pairs = pairsByLevel.get(rooms).map((pair, i) => ({ ...pair, index: i }));
      level[which] = await traffic(pairs, open, PLAN.seconds);
      level[which].workerdRssMiB = rssMiB((which === "baseline" ? baseline : project).workerdPid());
    }
    const b = level.baseline;
    const p = level.project;
    level.ratioP50 = ratio(p.p50, b.p50);
    level.ratioP99 = ratio(p.p99, b.p99);
    level.baselineClean = b.deliveredWithin2s === 1 && b.p99 !== null && b.p99 < 100;
    level.target = level.baselineClean
      ? p.deliveredWithin2s === 1 && p.deliveriesLost === 0 && level.ratioP99 <= 1.5
        ? "met"
        : "missed"
      : "n/a (baseline not clean)";
    levels.push(level);
  }
  return { setupSeconds, levels };
}

/** Opens both members' sockets, paces sends from both, drains, closes. */
async function traffic(pairs, open, seconds) {
  const ledger = new Ledger();
  const senders = [];
  const sockets = [];
  await mapLimit(pairs, 16, async (pair) => {
    for (const side of ["a", "b"]) {
      const key = `${side}${pair.index}`;
      const ws = await open(pair, side, ledger.handler(key));
      sockets.push(ws);
      senders.push({ ws, key, tag: key, watchers: 1 });
    }
  });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  await pace(ledger, senders, PER_PERSON, seconds);
  await ledger.drain(DRAIN_MS);
  lag.disable();
  closeAll(sockets);
  await sleep(1000);
  return { ...ledger.summary(), generatorLagP99Ms: lag.percentile(99) / 1e6 };
}

/**
 * One member's device was away while 1 000 messages were sent; it connects and resumes from 0.
 * Seeding goes through the real send path, but the per-user limit (120 a minute per room, kept in
 * the room's memory) would make that take 4 minutes: between rounds of 100 per member (10 sockets,
 * a burst of 10 each) the server is restarted on the same state, which resets those in-memory
 * windows and nothing stored. The replay comes in pages: on `replayed` with more, ask again.
 */
async function resume() {
  const server = await appServer({ name: "resume" });
  servers.push(server);
  const [pair] = await makePairs(server.url, "rs_", 1);
  const target = PLAN.resume;
  let stored = 0;
  let restarts = 0;
  const seedStart = performance.now();
  for (let round = 0; stored < target && round < 20; round++) {
    if (round > 0) {
      await server.restart();
      restarts += 1;
    }
    const ledger = new Ledger();
    const sockets = [];
    let n = 0;
    // At most 10 sockets per user per room (an 11th closes the oldest): 10 × a burst of 10.
    for (const side of ["a", "b"]) {
      for (let tab = 0; tab < 10 && stored + n < target; tab++) {
        const key = `${side}${tab}`;
        const ws = await projectSocket(server.url, pair[side], pair.conversationId, ledger.handler(key));
        sockets.push(ws);
        for (let i = 0; i < 10 && stored + n < target; i++, n++) {
          const id = `r${round}-${key}-${i}`;
          ledger.send(id, 0, key);
          ws.send(JSON.stringify({ type: "send", id, body: `missed message ${round}/${key}/${i}` }));
        }
      }
    }
    await ledger.drain(30_000);
    stored += [...ledger.sent.values()].filter((entry) => entry.ackAt !== null).length;
    closeAll(sockets);
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  // Cold: the room is not in memory (fresh process on the same state), as after an eviction.
  await server.restart();
  restarts += 1;
  const cold = await catchUp(server, pair, stored);
  const warm = await catchUp(server, pair, stored);
  await server.stop();
  servers.splice(servers.indexOf(server), 1);
  return { missed: stored, seedSeconds, seedRestarts: restarts, cold, warm };
}

/** A new socket of member b: from opening to hello, and from `resume` to the last missed message. */
async function catchUp(server, pair, expected) {
  let got = 0;
  const errors = [];
  let hello;
  let done;
  const helloSeen = new Promise((resolve) => {
    hello = resolve;
  });
  const allSeen = new Promise((resolve) => {
    done = resolve;
  });
  const t0 = performance.now();
  let pages = 0;
  const ws = await projectSocket(server.url, pair.b, pair.conversationId, (frame, at) => {
    if (frame.type === "hello") hello(at);
    if (frame.type === "message" && ++got === expected) done(at);
    if (frame.type === "replayed") {
      pages += 1;
      if (frame.more && pages < 50) ws.send(JSON.stringify({ type: "resume", afterSeq: frame.throughSeq }));
    }
    if (frame.type === "error") errors.push(frame.code);
  });
  const helloAt = await helloSeen;
  const resumeAt = performance.now();
  ws.send(JSON.stringify({ type: "resume", afterSeq: 0 }));
  const lastAt = await Promise.race([allSeen, sleep(60_000).then(() => null)]);
  ws.close();
  return {
    received: got,
    pages,
    errors,
    openToHelloMs: helloAt - t0,
    resumeToLastMs: lastAt === null ? null : lastAt - resumeAt,
    openToLastMs: lastAt === null ? null : lastAt - t0,
  };
}

/** 1 000 sockets in 200 conversations (3 + 2 tabs), one message a second per conversation. */
async function manySockets() {
  const server = await appServer({ name: "sockets" });
  servers.push(server);
  const rss = { idle: rssMiB(server.workerdPid()) };
  const { conversations: count, seconds } = PLAN.sockets;
  const setupStart = performance.now();
  const pairs = await makePairs(server.url, "ms_", count);
  rss.afterSignUps = rssMiB(server.workerdPid());
  const ledger = new Ledger();
  const rotations = [];
  const sockets = [];
  const perConversation = TABS[0] + TABS[1];
  await mapLimit(pairs, 16, async (pair, index) => {
    const tabs = [];
    for (const [s, side] of ["a", "b"].entries()) {
      for (let tab = 0; tab < TABS[s]; tab++) {
        const key = `${index}${side}${tab}`;
        const ws = await projectSocket(server.url, pair[side], pair.conversationId, ledger.handler(key));
        sockets.push(ws);
        tabs.push({ ws, key, tag: key, watchers: perConversation - 1 });
      }
    }
    rotations[index] = tabs;
  });
  const setupSeconds = (performance.now() - setupStart) / 1000;
  rss.socketsOpen = rssMiB(server.workerdPid());
  let peak = rss.socketsOpen ?? 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(server.workerdPid()) ?? 0);
  }, 1000);
  // One sender per conversation; each message comes from the next tab in turn.
  const senders = rotations.map((tabs) => tabs[0]);
  await pace(ledger, senders, 1, seconds, (sender, n) => rotations[senders.indexOf(sender)][n % perConversation]);
  await ledger.drain(10_000);
  clearInterval(sampler);
  rss.peak = peak;
  rss.end = rssMiB(server.workerdPid());
  closeAll(sockets);
  await sleep(500);
  await server.stop();
  servers.splice(servers.indexOf(server), 1);
  return {
    sockets: sockets.length,
    conversations: count,
    seconds,
    setupSeconds,
    ...ledger.summary(),
    workerdRssMiB: rss,
  };
}

/**
 * N accounts with lifetime 1 h, in pairs with a connection each, then the cron at a time past
 * their expiry (miniflare's /cdn-cgi/local/scheduled?time=, enabled by --test-scheduled). The
 * cron only starts the Purger's run; its rounds are alarms, so the run is over when the embedded
 * Store's SQLite (read-only, from the server's --persist-to) holds none of them and none of their
 * connections, or when that count has not moved for STALL_MS. The accounts are seeded through the
 * bench's Worker's seeding endpoint (one PBKDF2 hash per call), so N = 10 000 is measured, not
 * extrapolated; `--quick` (or `--purge N`) purges fewer and extrapolates, labelled as such.
 */
async function purge() {
  // Log level "log": the Purger's purge_round lines are counted.
  const server = await appServer({ name: "purge", testScheduled: true, logLevel: "log" });
  servers.push(server);
  const n = PURGE_ACCOUNTS;
  const setupStart = performance.now();
  const seeded = await seedPairs(server.url, "pg_", n / 2, { lifetimeHours: 1 });
  if (seeded !== n) throw new Error(`seeded ${seeded} of ${n}`);
  log(`seeded ${n} accounts in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);
  // workerd keeps the objects the seeding touched open (3 SQLite files each) for a while: a real
  // purge comes long after the sign-ups, so it starts once they are released.
  const openFiles = workerdOpenFiles(server);
  const settleDeadline = performance.now() + 120_000;
  while (openFiles() > 1_000 && performance.now() < settleDeadline) await sleep(1_000);
  const openFilesAtStart = openFiles();
  log(`purging (workerd has ${openFilesAtStart} files open)`);
  const observer = await signUp(server.url, "observer_pg", { lifetimeHours: 168 });
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const before = storeCounts(server);
  const cron = encodeURIComponent("*/10 * * * *");
  const time = Date.now() + 2 * 3_600_000;
  const t0 = performance.now();
  const response = await fetch(`${server.url}/cdn-cgi/local/scheduled?cron=${cron}&time=${time}`);
  const handlerSeconds = (performance.now() - t0) / 1000;
  const outcome = await response.text();
  // Poll until the accounts are gone, the count stops moving, or the deadline.
  const samples = [];
  let after = storeCounts(server);
  let lastChange = performance.now();
  let openFilesPeak = openFilesAtStart;
  const deadline = t0 + 600_000;
  while ((after.users > 0 || after.connections > 0) && performance.now() < deadline) {
    await sleep(250);
    const now = storeCounts(server);
    if (now.users !== after.users || now.connections !== after.connections) lastChange = performance.now();
    after = now;
    const files = openFiles();
    openFilesPeak = Math.max(openFilesPeak, files);
    const t = (performance.now() - t0) / 1000;
    if (samples.length === 0 || t - samples.at(-1).t >= 2) {
      samples.push({ t: Number(t.toFixed(1)), removed: before.users - now.users, openFiles: files });
      log(`  ${t.toFixed(0)} s: ${before.users - now.users} removed, workerd files open ${files}`);
    }
    if (performance.now() - lastChange > STALL_MS) break;
  }
  const seconds = after.users === 0 && after.connections === 0 ? (performance.now() - t0) / 1000 : null;
  // workerd keeps each object it touched (3 SQLite files open) for a while; past the fd limit it fails.
  const filesExhausted = /SQLITE_CANTOPEN|Too many open files/.test(server.output());
  const rounds = (server.output().match(/"event":"purge_round"/g) ?? []).length;
  const observerStatus = (await fetch(`${server.url}/api/me`, { headers: { Cookie: observer.cookie } })).status;
  await server.stop();
  servers.splice(servers.indexOf(server), 1);
  return {
    accounts: n,
    connections: n / 2,
    setupSeconds,
    cronOutcome: `${response.status} ${outcome.trim()}`,
    cronReturnedSeconds: handlerSeconds,
    // When the count last moved: a stalled run ended then.
    lastRemovalSeconds: (lastChange - t0) / 1000,
    rounds,
    storeBefore: before,
    storeAfter: after,
    removed: before.users - after.users,
    filesExhausted,
    workerdOpenFiles: { atStart: openFilesAtStart, peak: openFilesPeak },
    samples,
    seconds,
    msPerAccount: seconds === null ? null : (seconds * 1000) / n,
    extrapolatedSecondsFor10000: seconds === null ? null : (seconds * 10_000) / n,
    extrapolated: n !== 10_000,
    observerStatusAfter: observerStatus,
  };
}

/** How many files the workerd that holds this server's objects has open (0 when unknown). */
function workerdOpenFiles(server) {
  const holds = (pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(server.stateDir);
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  let pid = null;
  return () => {
    pid ??= readdirSync("/proc").find((entry) => /^\d+$/.test(entry) && holds(entry)) ?? null;
    try {
      return pid === null ? 0 : readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return 0;
    }
  };
}

/** The purge's accounts and connections still in the embedded Store (its object's SQLite file). */
function storeCounts(server) {
  const dir = join(server.stateDir, "v3/do/edge-chat-StoreHost");
  const files = readdirSync(dir).filter((name) => name.endsWith(".sqlite"));
  const counts = { users: 0, connections: 0 };
  for (const name of files) {
    const db = new DatabaseSync(join(dir, name), { readOnly: true });
    try {
      counts.users += db
        .prepare("SELECT COUNT(*) AS n FROM users WHERE username_key LIKE 'pg\\_%' ESCAPE '\\'")
        .get().n;
      // Only the purge's people have connections on this server (the observer has none).
      counts.connections += db.prepare("SELECT COUNT(*) AS n FROM connections").get().n;
    } catch {
      // not the embedded store's database
    } finally {
      db.close();
    }
  }
  return counts;
}

/** The Upstash call counts are their own script (a local REST server in front of redis-server). */
function upstashCalls() {
  const script = resolve(projectRoot, "bench/upstash-calls.mjs");
  const run = spawnSync(process.execPath, [script], {
    cwd: projectRoot,
    env: offlineEnv(),
    encoding: "utf8",
    timeout: 90_000,
  });
  return { status: run.status, output: `${run.stdout}${run.status === 0 ? "" : run.stderr}`.trim() };
}

/** Worker bundle: the snapshot's `wrangler deploy --dry-run --outdir`; first page JS+CSS from a Vite build. */
function sizes(app) {
  let raw = 0;
  let gzipped = 0;
  for (const name of app.modules) {
    const bytes = readFileSync(join(app.outdir, name));
    raw += bytes.byteLength;
    gzipped += gzipSync(bytes, { level: 9 }).byteLength;
  }
  return {
    worker: { modules: app.modules, rawBytes: raw, gzipBytes: gzipped },
    firstPage: measureFirstPage({ build: true }),
  };
}

function machine() {
  let commit = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: projectRoot, encoding: "utf8" }).trim();
  } catch {}
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    wrangler: JSON.parse(readFileSync(resolve(projectRoot, "node_modules/wrangler/package.json"), "utf8")).version,
    commit,
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

function ratio(a, b) {
  return a === null || b === null || b === 0 ? null : Number((a / b).toFixed(2));
}

function printTable(r) {
  const ms = (v) => (v === null || v === undefined ? "–" : v >= 100 ? `${Math.round(v)}` : v.toFixed(1));
  const pct = (v) => `${(v * 100).toFixed(1)} %`;
  console.log(`\nnpm run bench — ${r.date} — ${r.machine.cpu} × ${r.machine.cores}, wrangler ${r.machine.wrangler}`);
  console.log(
    `load average at start ${r.machine.loadAverageAtStart.join(" ")}, at end ${r.machine.loadAverageAtEnd.join(" ")}`,
  );
  if (r.conversations) {
    console.log(
      `\nConversations: R pairs, each person ${PER_PERSON} msg/s for ${PLAN.seconds} s; latency at the peer (ms)`,
    );
    console.log(
      "| R (offered/s) | bare p50 / p99 | bare ≤2 s | project p50 / p99 | project ≤2 s | lost | refused | ×p50 | ×p99 | target |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|");
  }
  for (const l of r.conversations?.levels ?? []) {
    const b = l.baseline;
    const p = l.project;
    console.log(
      `| ${l.rooms} (${l.offeredPerSecond}) | ${ms(b.p50)} / ${ms(b.p99)} | ${pct(b.deliveredWithin2s)} | ${ms(p.p50)} / ${ms(p.p99)} | ${pct(p.deliveredWithin2s)} | ${b.deliveriesLost} / ${p.deliveriesLost} | ${b.refused} / ${p.refused} | ${l.ratioP50 ?? "–"} | ${l.ratioP99 ?? "–"} | ${l.target} |`,
    );
  }
  const gr = r.group;
  if (gr) {
    const side = (x) =>
      `to every member p50 ${ms(x.p50)} / p99 ${ms(x.p99)}, to the last p50 ${ms(x.toLast.p50)} / p99 ${ms(x.toLast.p99)} ms, ≤2 s ${pct(x.deliveredWithin2s)}, lost ${x.deliveriesLost}, refused ${x.refused}`;
    console.log(`\nGroup of ${gr.size}, each member one message every ${gr.everySeconds} s for ${gr.seconds} s:`);
    console.log(`  bare (${gr.size} sockets in one object): ${side(gr.baseline)}`);
    console.log(`  project: ${side(gr.project)}`);
    console.log(`  to the last member: ×p50 ${gr.ratioToLastP50 ?? "–"}, ×p99 ${gr.ratioToLastP99 ?? "–"}`);
  }
  const res = r.resume;
  if (res)
    console.log(
      `\nResume after ${res.missed} missed: cold room ${ms(res.cold.resumeToLastMs)} ms (open→hello ${ms(res.cold.openToHelloMs)} ms), warm ${ms(res.warm.resumeToLastMs)} ms; received ${res.cold.received}/${res.warm.received}`,
    );
  const s = r.sockets;
  if (s)
    console.log(
      `${s.sockets} sockets in ${s.conversations} conversations, 1 msg/s each for ${s.seconds} s: sent ${s.sent}, lost ${s.deliveriesLost}, refused ${s.refused}, p50 ${ms(s.p50)} / p99 ${ms(s.p99)} ms; workerd RSS idle ${ms(s.workerdRssMiB.idle)} → sockets open ${ms(s.workerdRssMiB.socketsOpen)} → peak ${ms(s.workerdRssMiB.peak)} MiB`,
    );
  const g = r.purge;
  if (g) {
    const tenThousand = g.extrapolated
      ? ` → 10 000 extrapolated linearly: ${g.extrapolatedSecondsFor10000.toFixed(0)} s`
      : ` (target for 10 000: under 60 s, ${g.seconds < 60 ? "met" : "missed"})`;
    console.log(
      `Purge of ${g.accounts} expired accounts (${g.connections} connections, seeded in ${g.setupSeconds.toFixed(0)} s): ${g.seconds === null ? `the run stopped removing after ${g.lastRemovalSeconds.toFixed(1)} s with ${g.removed} removed and ${JSON.stringify(g.storeAfter)} left${g.filesExhausted ? " (workerd ran out of file descriptors: SQLITE_CANTOPEN)" : ""}` : `${g.seconds.toFixed(1)} s, ${g.msPerAccount.toFixed(1)} ms each${tenThousand}`} in ${g.rounds} rounds; workerd files open ${g.workerdOpenFiles.atStart} at the start, ${g.workerdOpenFiles.peak} at the peak`,
    );
  }
  if (r.sizes)
    console.log(
      `Sizes: Worker ${(r.sizes.worker.gzipBytes / 1024).toFixed(1)} KiB gzipped (${(r.sizes.worker.rawBytes / 1024).toFixed(0)} KiB raw); first page JS ${r.sizes.firstPage.js} + CSS ${r.sizes.firstPage.css} = ${r.sizes.firstPage.total} bytes gzipped`,
    );
  if (r.perMessage) printPerMessage(r.perMessage);
  if (r.outage) printOutage(r.outage);
  if (r.upstashCalls) {
    console.log(`\nbench/upstash-calls.mjs (exit ${r.upstashCalls.status}):`);
    console.log(r.upstashCalls.output.replace(/^/gm, "  "));
  }
  if (r.profile) {
    console.log(`\nCPU profile at R=${r.profile.rooms} (${r.profile.file}), top self time:`);
    for (const f of r.profile.top.slice(0, 15))
      console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.frame}`);
    console.log("native frames by their JS caller:");
    for (const f of r.profile.nativeByCaller.slice(0, 10))
      console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.frame}`);
  }
}
