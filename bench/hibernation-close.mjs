// The smallest reproduction of a workerd behaviour: when a Durable Object closes a hibernatable
// socket first (ctx.acceptWebSocket, then ws.close(4002)), the client's Close reply reaches the
// object (webSocketClose runs) but workerd keeps the TCP connection until the object hibernates
// (10 s idle), or for as long as it stays busy. A socket taken with the standard accept() ends at
// once. Calling close() again in webSocketClose changes nothing (the socket is already CLOSED);
// nor does the compatibility date (web_socket_auto_reply_to_close, on since 2026-04-07).
// workerd alone, no wrangler and no dev proxy in front:
//   npx node bench/hibernation-close.mjs [--workerd <binary>] [--date 2026-11-01]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, projectRoot } from "../scripts/dev-env.mjs";

const { values } = parseArgs({
  options: {
    workerd: { type: "string", default: resolve(projectRoot, "node_modules/.bin/workerd") },
    date: { type: "string", default: "2026-11-01" },
  },
});
const WAIT_MS = 15_000;

const worker = `
import { DurableObject } from "cloudflare:workers";
// GET /ws?mode=hibernate|accept takes a socket; POST /close closes the "victim" sockets with 4002.
export class Room extends DurableObject {
  plain = new Set();
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/close") {
      for (const ws of [...this.ctx.getWebSockets("victim"), ...this.plain]) ws.close(4002, "logged out");
      this.plain.clear();
      return new Response("closed");
    }
    const [client, server] = Object.values(new WebSocketPair());
    if (url.searchParams.get("mode") === "accept") {
      server.accept();
      this.plain.add(server);
    } else this.ctx.acceptWebSocket(server, [url.searchParams.get("tag") ?? "victim"]);
    return new Response(null, { status: 101, webSocket: client });
  }
  webSocketMessage() {}
  webSocketClose(ws, code) {
    ws.close(code, "closing"); // what the Hibernation API asks for; a no-op on a socket closed first
  }
}
export default {
  fetch(request, env) {
    const room = new URL(request.url).searchParams.get("room");
    return env.ROOM.get(env.ROOM.idFromName(room)).fetch(request);
  },
};`;

const port = await freePort();
const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "${values.date}",
  durableObjectNamespaces = [ (className = "Room", uniqueKey = "room", enableSql = true) ],
  durableObjectStorage = (inMemory = void),
  bindings = [ (name = "ROOM", durableObjectNamespace = "Room") ],
);`;

const dir = mkdtempSync(join(tmpdir(), "hibernation-close-"));
writeFileSync(join(dir, "worker.js"), worker);
writeFileSync(join(dir, "config.capnp"), config);
const workerd = spawn(values.workerd, ["serve", "--experimental", join(dir, "config.capnp")], { stdio: "ignore" });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 50; i++) {
  if (
    await fetch(`${base}/close?room=probe`, { method: "POST" }).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((done) => setTimeout(done, 100));
}

/** A raw client: upgrade, let the object close, answer its Close, time the TCP end. */
function run(room, mode) {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    let t0 = 0;
    let closeFrameAt = null;
    let upgraded = false;
    const finish = (ended) => {
      socket.destroy();
      done({ closeFrameAt, endedAt: ended ? Math.round(performance.now() - t0) : null });
    };
    const timer = setTimeout(() => finish(false), WAIT_MS);
    socket.on("connect", () => {
      const key = randomBytes(16).toString("base64");
      socket.write(
        `GET /ws?room=${room}&mode=${mode} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk) => {
      if (!upgraded) {
        upgraded = true;
        t0 = performance.now();
        // Not awaited: the Close frame may come before the answer does.
        void fetch(`${base}/close?room=${room}`, { method: "POST" });
        return;
      }
      if ((chunk[0] & 0x0f) !== 0x8) return;
      closeFrameAt = Math.round(performance.now() - t0);
      const mask = randomBytes(4);
      const code = chunk.subarray(2, 4).map((byte, i) => byte ^ mask[i]);
      socket.write(Buffer.concat([Buffer.from([0x88, 0x82]), mask, code]));
    });
    socket.on("close", () => {
      clearTimeout(timer);
      finish(true);
    });
  });
}

/** Another socket on the same object that sends a frame every second, so the object never idles. */
function keepBusy(room) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?room=${room}&tag=busy`);
  const timer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("tick"), 1000);
  return () => {
    clearInterval(timer);
    ws.close();
  };
}

const stopBusy = keepBusy("busy");
await new Promise((done) => setTimeout(done, 300));
const cases = [
  ["ctx.acceptWebSocket, the object idle", run("idle", "hibernate")],
  ["ctx.acceptWebSocket, the object busy", run("busy", "hibernate")],
  ["server.accept()", run("plain", "accept")],
];
const version = await new Promise((done) => {
  const child = spawn(values.workerd, ["--version"]);
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.on("close", () => done(out.trim()));
});
console.log(`${version}, compatibility date ${values.date}: the object closes with 4002, the client answers`);
console.log("| socket taken with | Close frame at | TCP ended at |\n|---|---|---|");
for (const [name, result] of cases) {
  const { closeFrameAt, endedAt } = await result;
  console.log(
    `| ${name} | ${closeFrameAt ?? "never"} ms | ${endedAt === null ? `still open at ${WAIT_MS} ms` : `${endedAt} ms`} |`,
  );
}
stopBusy();
workerd.kill();
rmSync(dir, { recursive: true, force: true });
