// Measures, against wrangler dev on loopback: sign-up time (PBKDF2 at 100 000 iterations),
// room connect time, ack latency and delivery latency to the other member.
// Sends are paced under the per-socket limit (5 a second) so the numbers are of work, not refusals.
// Run: npx node bench/room-latency.mjs [messages]
import { startDevServer } from "../scripts/dev-server.mjs";

const messages = Number(process.argv[2] ?? 60);
const server = await startDevServer();
const origin = server.url;

const time = async (fn) => {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
};

async function signUp(name) {
  const response = await fetch(`${origin}/api/auth/signup`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/json" },
    body: JSON.stringify({ username: `${name}_${Math.random().toString(36).slice(2, 9)}`, password: "password123" }),
  });
  if (response.status !== 201) throw new Error(`sign-up: ${response.status}`);
  return {
    user: (await response.json()).user,
    cookie: /(?:__Host-)?session=[^;]+/.exec(response.headers.get("set-cookie"))[0],
  };
}

function open(path, cookie, onFrame) {
  const ws = new WebSocket(`${origin.replace("http", "ws")}${path}`, { headers: { Cookie: cookie, Origin: origin } });
  ws.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws));
    ws.addEventListener("error", reject);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

try {
  const signups = [];
  const people = [];
  for (const name of ["ann", "bob", "cid", "dan", "eve"]) {
    const [ms, person] = await time(() => signUp(name));
    signups.push(ms);
    people.push(person);
  }
  const [ann, bob] = people;
  const added = await fetch(`${origin}/api/connections`, {
    method: "POST",
    headers: { Origin: origin, Cookie: ann.cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ userId: bob.user.id }),
  });
  const { conversationId } = (await added.json()).connection;
  const path = `/api/conversations/${conversationId}/ws`;

  const pending = new Map();
  const delivered = new Map();
  const [connectMs, annWs] = await time(() =>
    open(path, ann.cookie, (frame) => {
      if (frame.type === "ack") pending.get(frame.id)?.(performance.now());
    }),
  );
  const bobWs = await open(path, bob.cookie, (frame) => {
    if (frame.type === "message") delivered.get(frame.message.id)?.(performance.now());
  });

  const acks = [];
  const deliveries = [];
  for (let i = 0; i < messages; i++) {
    const id = `bench${i}`;
    const acked = new Promise((resolve) => pending.set(id, resolve));
    const arrived = new Promise((resolve) => delivered.set(id, resolve));
    const sentAt = performance.now();
    annWs.send(JSON.stringify({ type: "send", id, body: `message ${i}` }));
    acks.push((await acked) - sentAt);
    deliveries.push((await arrived) - sentAt);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  annWs.close();
  bobWs.close();

  console.log(`sign-up (PBKDF2 100k)   median ${fmt(median(signups))} over ${signups.length}`);
  console.log(`room connect            ${fmt(connectMs)}`);
  console.log(`ack latency             median ${fmt(median(acks))}  p95 ${fmt(p95(acks))} over ${messages}`);
  console.log(
    `delivery to other member median ${fmt(median(deliveries))}  p95 ${fmt(p95(deliveries))} over ${messages}`,
  );
} finally {
  await server.stop();
}
