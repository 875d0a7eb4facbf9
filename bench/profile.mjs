// A CPU profile of the Worker and its rooms under load, through wrangler dev's inspector
// (--inspector-port) and the Chrome DevTools protocol: Profiler.start, R conversations at 4 msg/s
// per person, Profiler.stop. Writes the .cpuprofile (open it in Chrome DevTools) to bench/results/
// and prints the top frames by self time.
// Run: npx node bench/profile.mjs [--rooms 20] [--seconds 10] [--root <another checkout, e.g. from git archive>]
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, projectRoot } from "../scripts/dev-env.mjs";
import { closeAll, Ledger, makePairs, mapLimit, pace, projectSocket, sleep } from "./lib/client.mjs";
import { startServer } from "./lib/server.mjs";

const PER_PERSON = 4;

export async function profileRoom({ rooms = 20, seconds = 10, top = 25, root, app } = {}) {
  const inspectorPort = await freePort();
  const server = await startServer({
    name: "profile",
    inspectorPort,
    root,
    ...(app ? { config: app.config, noBundle: true } : {}),
  });
  try {
    const pairs = await makePairs(server.url, `pf${rooms}_`, rooms);
    const ledger = new Ledger();
    const senders = [];
    const sockets = [];
    await mapLimit(pairs, 16, async (pair, index) => {
      for (const side of ["a", "b"]) {
        const key = `${side}${index}`;
        const ws = await projectSocket(server.url, pair[side], pair.conversationId, ledger.handler(key));
        sockets.push(ws);
        senders.push({ ws, key, tag: key, watchers: 1 });
      }
    });
    const inspector = await connectInspector(inspectorPort);
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 500 });
    await inspector.call("Profiler.start");
    await pace(ledger, senders, PER_PERSON, seconds);
    await ledger.drain(3_000);
    const { profile } = await inspector.call("Profiler.stop");
    if (!profile) throw new Error("Profiler.stop answered without a profile");
    inspector.close();
    const bundle = app
      ? readFileSync(join(app.outdir, "index.js"), "utf8").split("\n")
      : devBundle(root ?? projectRoot);
    closeAll(sockets);
    await sleep(300);

    const dir = resolve(projectRoot, "bench/results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `profile-R${rooms}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const result = {
      rooms,
      seconds,
      root: root ?? projectRoot,
      target: inspector.target,
      file: relative(projectRoot, file),
      load: ledger.summary(),
      ...selfTimes(profile, top, bundle),
    };
    writeFileSync(file.replace(/\.cpuprofile$/, ".summary.json"), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await server.stop();
  }
}

/** Self time per frame (function, file, line), summed over the samples' time deltas. */
export function selfTimes(profile, top, bundle = null) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFrame = new Map();
  let total = 0;
  for (const [index, id] of profile.samples.entries()) {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    total += delta;
    const frame = describe(nodes.get(id)?.callFrame, bundle);
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + delta);
  }
  const frames = [...byFrame.entries()]
    .map(([frame, selfMs]) => ({ frame, selfMs, selfPct: (100 * selfMs) / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
  // Native frames (SQLite's exec, send, …) have no file: charge them to the nearest JS caller.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const viaCaller = new Map();
  for (const [index, id] of profile.samples.entries()) {
    const own = nodes.get(id)?.callFrame;
    if (!own || own.url || /^\(/.test(own.functionName)) continue;
    let up = parent.get(id);
    while (up !== undefined && !nodes.get(up)?.callFrame.url) up = parent.get(up);
    const key = `${describe(own)} ← ${up === undefined ? "(none)" : describe(nodes.get(up).callFrame, bundle)}`;
    viaCaller.set(key, (viaCaller.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  }
  const nativeByCaller = [...viaCaller.entries()]
    .map(([frame, selfMs]) => ({ frame, selfMs, selfPct: (100 * selfMs) / total }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  return { totalMs: total, samples: profile.samples.length, top: frames.slice(0, top), nativeByCaller };
}

function describe(callFrame, bundle) {
  if (!callFrame) return "(unknown)";
  const name = callFrame.functionName || "(anonymous)";
  if (!callFrame.url) return name;
  const file = callFrame.url.replace(/^.*[/\\]/, "");
  const where = bundle ? ` [${enclosing(bundle, callFrame.lineNumber)}]` : "";
  return `${name} ${file}:${callFrame.lineNumber + 1}${where}`;
}

/** The class and method around a line of the dev bundle: names anonymous callbacks. */
function enclosing(lines, index) {
  const names = [];
  for (let i = index; i >= 0 && i > index - 400 && names.length < 2; i--) {
    const line = lines[i] ?? "";
    const cls = /^(?:var|let|const) (\w+) = class\b|^\s*class (\w+)/.exec(line);
    if (cls) {
      names.push(cls[1] ?? cls[2]);
      break;
    }
    const method = /^\s*(?:async\s+|static\s+|get\s+)*(?:function\s+)?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{\s*$/.exec(
      line,
    );
    if (method && names.length === 0 && !["if", "for", "while", "switch", "catch"].includes(method[1]))
      names.push(method[1]);
  }
  return names.reverse().join(".") || "?";
}

/** The newest bundle wrangler dev wrote for this checkout (it is removed when the server stops). */
function devBundle(root) {
  try {
    const dir = join(root, ".wrangler/tmp");
    const newest = readdirSync(dir)
      .filter((name) => name.startsWith("dev-"))
      .map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at)[0];
    return newest ? readFileSync(join(dir, newest.name, "index.js"), "utf8").split("\n") : null;
  } catch {
    return null;
  }
}

/** The DevTools WebSocket of the Worker's isolate, with a promise-returning call(). */
async function connectInspector(port) {
  let targets = [];
  for (let attempt = 0; attempt < 50 && targets.length === 0; attempt++) {
    try {
      targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
    } catch {
      await sleep(200);
    }
  }
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? null;
  if (!target) throw new Error(`no inspector target on port ${port}`);
  // The inspector proxy admits local origins only; Node's client sends none by itself.
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://127.0.0.1" } });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", () => reject(new Error("inspector socket failed")));
  });
  // Far from the ids the inspector proxy uses for its own requests on the same session.
  let nextId = 900_000_000 + Math.floor(Math.random() * 1_000_000);
  const pending = new Map();
  // wrangler dev rebuilds when a source file changes (a shared tree), which drops this session.
  ws.addEventListener("close", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("inspector closed (did wrangler reload?)"));
    pending.clear();
  });
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    // workerd answers Profiler.enable/start by sending the request back (same id, no result).
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message}`));
    else waiter.resolve(message.result ?? {});
  });
  return {
    target: { title: target.title, url: target.url },
    call(method, params = {}) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`${method}: no answer in 60 s`));
        }, 60_000);
      });
    },
    close: () => ws.close(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? Number(process.argv[index + 1]) : fallback;
  };
  const rootIndex = process.argv.indexOf("--root");
  const root = rootIndex > 0 ? resolve(process.argv[rootIndex + 1]) : undefined;
  const result = await profileRoom({ rooms: arg("rooms", 20), seconds: arg("seconds", 10), root });
  const { load } = result;
  console.log(
    `R=${result.rooms}, ${result.seconds} s: sent ${load.sent}, p50 ${load.p50?.toFixed(1)} ms, p99 ${load.p99?.toFixed(1)} ms; profile ${result.file}`,
  );
  console.log(`target: ${result.target.title}; ${result.samples} samples over ${result.totalMs.toFixed(0)} ms`);
  for (const f of result.top)
    console.log(`${f.selfPct.toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.frame}`);
}
