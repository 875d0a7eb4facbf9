// The load generator's client side: people (sign-up, connection, cookie, address), sockets with
// heartbeats, paced senders and the latency bookkeeping. Traffic goes to 127.0.0.1 only.

/** Heartbeat frames and interval of protocol/wire.ts (the platform answers them without waking a room). */
const PING_EVERY_MS = 20_000;

let nextAddress = 1;
/** A fresh address from the benchmarking range 198.18.0.0/15 per simulated person. */
export function freshIp() {
  const n = nextAddress++;
  if (n >= 1 << 17) throw new Error("out of benchmark addresses");
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

export async function signUp(origin, username, { lifetimeHours = 24, password = "bench password 1" } = {}) {
  const ip = freshIp();
  const response = await fetch(`${origin}/api/auth/signup`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/json", "CF-Connecting-IP": ip },
    body: JSON.stringify({ username, password, lifetimeHours }),
  });
  if (response.status !== 201) throw new Error(`sign-up ${username}: ${response.status} ${await response.text()}`);
  const { user } = await response.json();
  return { user, ip, cookie: /(?:__Host-)?session=[^;]+/.exec(response.headers.get("set-cookie"))[0] };
}

/**
 * Connects two people; their conversation id. Where connecting is a message request (the asker
 * may send 3 messages until it is accepted), the other side accepts it, as a real pair would.
 */
export async function connectPair(origin, a, b) {
  const response = await fetch(`${origin}/api/connections`, {
    method: "POST",
    headers: { Origin: origin, Cookie: a.cookie, "Content-Type": "application/json", "CF-Connecting-IP": a.ip },
    body: JSON.stringify({ userId: b.user.id }),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`connect: ${response.status} ${await response.text()}`);
  }
  const { connection } = await response.json();
  if (connection.status !== undefined && connection.status !== "accepted") {
    const accepted = await fetch(`${origin}/api/connections/${a.user.id}/accept`, {
      method: "POST",
      headers: { Origin: origin, Cookie: b.cookie, "CF-Connecting-IP": b.ip },
    });
    if (!accepted.ok) throw new Error(`accept: ${accepted.status} ${await accepted.text()}`);
  }
  return connection.conversationId;
}

/** Signs up `count` people named `<prefix><i>` and pairs them (0-1, 2-3, …): [{ a, b, conversationId }]. */
export async function makePairs(origin, prefix, pairs, { lifetimeHours, concurrency = 4 } = {}) {
  const people = await mapLimit(
    Array.from({ length: pairs * 2 }, (_, i) => `${prefix}${i}`),
    concurrency,
    (name) => signUp(origin, name, { lifetimeHours }),
  );
  return mapLimit(
    Array.from({ length: pairs }, (_, i) => i),
    concurrency,
    async (i) => {
      const a = people[2 * i];
      const b = people[2 * i + 1];
      return { a, b, conversationId: await connectPair(origin, a, b) };
    },
  );
}

/**
 * Opens a socket; `onFrame(frame, at)` gets every parsed frame except heartbeats. Resolves when
 * open, rejects on an error or a close before opening, or after 30 s.
 */
export function openSocket(url, headers, onFrame) {
  const ws = new WebSocket(url, { headers });
  ws.addEventListener("message", (event) => {
    const at = performance.now();
    if (event.data === "pong") return;
    onFrame(JSON.parse(event.data), at);
  });
  const ping = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send("ping");
  }, PING_EVERY_MS);
  ws.addEventListener("close", () => clearInterval(ping));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket did not open: ${url}`)), 30_000);
    ws.addEventListener("open", () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.addEventListener("error", () => {
      clearTimeout(timer);
      clearInterval(ping);
      reject(new Error(`socket failed: ${url}`));
    });
  });
}

/** The project's room socket for one person. */
export function projectSocket(origin, person, conversationId, onFrame) {
  const url = `${origin.replace("http", "ws")}/api/conversations/${conversationId}/ws`;
  return openSocket(url, { Cookie: person.cookie, Origin: origin, "CF-Connecting-IP": person.ip }, onFrame);
}

/** The baseline's room socket. */
export function baselineSocket(origin, room, userId, onFrame) {
  return openSocket(`${origin.replace("http", "ws")}/rooms/${room}/ws?user=${userId}`, {}, onFrame);
}

/**
 * What a scenario records per message: when it was sent, its ack, and its arrival at each
 * socket expected to receive it (the peer's and the sender's own echo).
 */
export class Ledger {
  constructor() {
    this.sent = new Map();
    this.errors = new Map();
    this.unexpected = 0;
  }

  /** Registers a message about to be sent; `watchers` is how many sockets must receive it. */
  send(id, watchers, fromKey) {
    this.sent.set(id, { at: performance.now(), ackAt: null, arrivals: [], watchers, fromKey });
  }

  /** The frame handler for the socket `key`: acks, messages (not the sender's own echo) and errors. */
  handler(key) {
    return (frame, at) => {
      if (frame.type === "ack") {
        const entry = this.sent.get(frame.id);
        if (entry && entry.ackAt === null) entry.ackAt = at;
      } else if (frame.type === "message") {
        const entry = this.sent.get(frame.message.id);
        if (!entry) this.unexpected += 1;
        else if (entry.fromKey !== key) entry.arrivals.push(at - entry.at);
      } else if (frame.type === "error") {
        this.errors.set(frame.code, (this.errors.get(frame.code) ?? 0) + 1);
        const entry = this.sent.get(frame.id);
        if (entry) entry.refused = frame.code;
      }
    };
  }

  /** Waits until every sent message is acked or refused and has reached its watchers, or `ms` pass. */
  async drain(ms) {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      let open = 0;
      for (const entry of this.sent.values()) {
        if (entry.refused) continue;
        if (entry.ackAt === null || entry.arrivals.length < entry.watchers) open += 1;
      }
      if (open === 0) return;
      await sleep(100);
    }
  }

  /** Delivery statistics over arrivals at sockets other than the sender's (`peerArrivals` per message). */
  summary(withinMs = 2000) {
    const latencies = [];
    let expected = 0;
    let inTime = 0;
    let lost = 0;
    let unacked = 0;
    let refused = 0;
    for (const entry of this.sent.values()) {
      if (entry.refused) {
        refused += 1;
        continue;
      }
      if (entry.ackAt === null) unacked += 1;
      expected += entry.watchers;
      for (const ms of entry.arrivals) {
        latencies.push(ms);
        if (ms <= withinMs) inTime += 1;
      }
      if (entry.ackAt !== null && entry.arrivals.length < entry.watchers)
        lost += entry.watchers - entry.arrivals.length;
    }
    const acks = [...this.sent.values()].filter((e) => e.ackAt !== null).map((e) => e.ackAt - e.at);
    return {
      sent: this.sent.size,
      refused,
      unacked,
      errors: Object.fromEntries(this.errors),
      deliveriesExpected: expected,
      deliveriesLost: lost,
      deliveredWithin2s: expected === 0 ? 0 : inTime / expected,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: percentile(latencies, 1),
      ackP50: percentile(acks, 0.5),
      ackP99: percentile(acks, 0.99),
    };
  }
}

/**
 * Sends from each sender at `perSecond`, each on its own schedule with a random phase, for
 * `seconds`. Senders are { ws, key, tag, watchers }; `nextSender(sender, n)` may rotate among
 * sockets. Bounded in time and count.
 */
export async function pace(ledger, senders, perSecond, seconds, nextSender) {
  const period = 1000 / perSecond;
  const start = performance.now() + 50;
  const end = start + seconds * 1000;
  const maxPerSender = Math.ceil(perSecond * seconds) + 1;
  await Promise.all(
    senders.map(async (sender, index) => {
      let due = start + Math.random() * period;
      for (let n = 0; n < maxPerSender && due < end; n++) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const from = nextSender ? nextSender(sender, n) : sender;
        if (from.ws.readyState !== WebSocket.OPEN) break;
        const id = `${from.tag}-${index}-${n}`;
        ledger.send(id, from.watchers, from.key);
        from.ws.send(JSON.stringify({ type: "send", id, body: `bench message ${n} from ${index}` }));
        due += period;
      }
    }),
  );
}

export function percentile(values, q) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function closeAll(sockets) {
  for (const ws of sockets) {
    try {
      ws.close(1000, "bench done");
    } catch {
      // already closed
    }
  }
}

/**
 * Seeds `pairs` pairs named `<prefix><n>` with an accepted connection each, through
 * `POST /api/__bench/seed` of the bench's Worker (bench/worker/): one PBKDF2 hash per call instead
 * of one per person. Returns how many people were written.
 */
export async function seedPairs(origin, prefix, pairs, { lifetimeHours = 24, perCall = 500, concurrency = 2 } = {}) {
  const calls = Array.from({ length: Math.ceil(pairs / perCall) }, (_, i) => i);
  const written = await mapLimit(calls, concurrency, async (i) => {
    const body = { prefix, from: 2 * i * perCall, pairs: Math.min(perCall, pairs - i * perCall), lifetimeHours };
    const response = await fetch(`${origin}/api/__bench/seed`, {
      method: "POST",
      headers: { Origin: origin, "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`seed ${i}: ${response.status} ${await response.text()}`);
    return (await response.json()).users;
  });
  return written.reduce((a, b) => a + b, 0);
}
