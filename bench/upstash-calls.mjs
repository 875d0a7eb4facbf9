// Counts Upstash calls, against wrangler dev with Upstash as its Cache (the local REST server in
// front of a real redis-server): per message sent (the target on the send path is 0) and per page
// load as the web app does it. Then the ack latency while redis-server hangs: a send path that
// awaited Upstash would show its 300 ms time box there.
// Run: npx node bench/upstash-calls.mjs [messages]
import { startDevServer } from "../scripts/dev-server.mjs";
import { startRedisServer } from "../scripts/redis-server.mjs";
import { startUpstashServer } from "../scripts/upstash-server.mjs";
import { signUp as signUpAs } from "./lib/client.mjs";

const messages = Number(process.argv[2] ?? 10);
if (!Number.isInteger(messages) || messages < 1 || messages > 10) {
  throw new Error("messages: 1 to 10 (one burst under the per-socket limit)");
}
/** Long enough for the work a request leaves behind (waitUntil, coalesced hub notices) to land. */
const SETTLE_MS = 1_000;
const ip = `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

const redisServer = await startRedisServer();
const upstash = await startUpstashServer({ redisUrl: redisServer.url, token: crypto.randomUUID() });
const server = await startDevServer({
  vars: { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
});
const origin = server.url;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(path, cookie, body) {
  const response = await fetch(`${origin}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      Origin: origin,
      "CF-Connecting-IP": ip,
      "Content-Type": "application/json",
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response;
}

/** A new person, signed up through the shared bench client. */
const signUp = (name) => signUpAs(origin, `${name}_${Math.random().toString(36).slice(2, 9)}`);

function open(path, cookie, onFrame = () => {}) {
  const ws = new WebSocket(`${origin.replace("http", "ws")}${path}`, { headers: { Cookie: cookie, Origin: origin } });
  ws.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws));
    ws.addEventListener("error", reject);
  });
}

/** Upstash requests and commands that `work` caused, once what it left behind has landed. */
async function counted(work) {
  await sleep(SETTLE_MS);
  const before = upstash.stats();
  await work();
  await sleep(SETTLE_MS);
  const after = upstash.stats();
  return { requests: after.requests - before.requests, commands: after.commands - before.commands };
}

const sockets = [];
try {
  const ann = await signUp("ann");
  const bob = await signUp("bob");
  const added = await call("/api/connections", ann.cookie, { userId: bob.user.id });
  const { conversationId } = (await added.json()).connection;
  // A message request until bob accepts it: accepted, so the burst below is not held to three.
  await call(`/api/connections/${ann.user.id}/accept`, bob.cookie, {});
  const roomPath = `/api/conversations/${conversationId}/ws`;

  // Bob opens the app: who am I, my connections, my hub socket, the open chat and its history.
  const pageLoad = await counted(async () => {
    await call("/api/me", bob.cookie);
    await call("/api/connections", bob.cookie);
    sockets.push(await open("/api/me/ws", bob.cookie));
    sockets.push(await open(roomPath, bob.cookie));
    await call(`/api/conversations/${conversationId}/messages`, bob.cookie);
  });

  const acked = new Map();
  const annRoom = await open(roomPath, ann.cookie, (frame) => {
    if (frame.type === "ack") acked.get(frame.id)?.(performance.now());
  });
  sockets.push(annRoom);
  let sent = 0;
  /** Sends `count` messages at once; resolves with each one's ack latency. */
  const burst = (count) =>
    Promise.all(
      Array.from({ length: count }, () => {
        sent += 1;
        const id = `bench-${sent}`;
        const started = performance.now();
        const ack = new Promise((resolve) => acked.set(id, (at) => resolve(at - started)));
        annRoom.send(JSON.stringify({ type: "send", id, body: `message ${sent}` }));
        return ack;
      }),
    );
  await burst(1); // the room is awake before counting
  const send = await counted(() => burst(messages));
  const normalAcks = await burst(1);
  await sleep(2_200); // refill the socket's send bucket

  redisServer.freeze();
  let hungAcks;
  try {
    hungAcks = await burst(3);
  } finally {
    redisServer.thaw();
  }

  const per = (count, n) => (count / n).toFixed(2);
  console.log(
    `Upstash calls (requests / commands), ${messages} messages in one burst, wrangler dev, local REST server:`,
  );
  console.log(
    `  per message sent:  ${per(send.requests, messages)} requests, ${per(send.commands, messages)} commands`,
  );
  console.log(`  per page load:     ${pageLoad.requests} requests, ${pageLoad.commands} commands`);
  console.log(`  ack latency:       ${normalAcks[0].toFixed(1)} ms with Upstash answering`);
  console.log(`                     ${hungAcks.map((ms) => ms.toFixed(1)).join(", ")} ms while redis-server hangs`);
} finally {
  for (const ws of sockets) ws.close();
  await server.stop();
  await upstash.stop();
  await redisServer.dispose();
}
