import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Connection, HealthBody, Message, User } from "../../protocol/api";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.mjs";
import { startUpstashServer, type UpstashServer } from "../../scripts/upstash-server.mjs";

// The whole app under `wrangler dev` with Upstash as its Cache: the real client, the local REST
// server and a real redis-server, which this suite freezes and then kills mid-test.

let redisServer: RedisServer;
let upstash: UpstashServer;
let server: DevServer;
/** One address per run (the benchmarking range), so earlier runs' per-IP counters never count. */
const ip = `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

interface Person {
  user: User;
  cookie: string;
  username: string;
}

async function call(path: string, init: { method?: string; body?: unknown; cookie?: string } = {}) {
  const headers: Record<string, string> = { Origin: server.url, "CF-Connecting-IP": ip };
  if (init.cookie) headers.Cookie = init.cookie;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const cookieOf = (response: Response) =>
  /(?:__Host-)?session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0] ?? "";
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

async function signUp(prefix: string): Promise<Person> {
  const username = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const response = await call("/api/auth/signup", { body: { username, password: "password123" } });
  expect(response.status).toBe(201);
  return { user: ((await response.json()) as { user: User }).user, cookie: cookieOf(response), username };
}

async function health(): Promise<{ status: number; body: HealthBody; ms: number }> {
  const started = Date.now();
  const response = await call("/api/health");
  return { status: response.status, body: (await response.json()) as HealthBody, ms: Date.now() - started };
}

/** A real WebSocket client (Node's), collecting JSON frames. */
function open(path: string, cookie: string) {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}${path}`, {
    headers: { Cookie: cookie, Origin: server.url },
  } as never);
  const frames: Record<string, unknown>[] = [];
  ws.addEventListener("message", (event) => frames.push(JSON.parse(String(event.data)) as Record<string, unknown>));
  const next = async (type: string) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const index = frames.findIndex((frame) => frame.type === type);
      if (index >= 0) return frames.splice(index, 1)[0] ?? {};
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${type} frame; have ${JSON.stringify(frames)}`);
  };
  return new Promise<{ ws: WebSocket; next: typeof next }>((resolve, reject) => {
    ws.addEventListener("open", () => resolve({ ws, next }));
    ws.addEventListener("error", () => reject(new Error(`could not open ${path}`)));
  });
}

/** The status an upgrade request gets (101 when the socket opens), read before any WebSocket logic. */
function upgradeStatus(path: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, {
      headers: {
        Cookie: cookie,
        Origin: server.url,
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
      },
    });
    req.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Waits until the app's Cache answers again (the outage record skips Upstash for a while). */
async function untilCacheAnswers() {
  await expect.poll(async () => (await health()).body.answers.cache, { timeout: 20_000, interval: 500 }).toBe(true);
}

let ann: Person;
let bob: Person;
let conversationId: string;
/** A copy of a cookie whose session was signed out of. */
let endedCookie: string;
let annRoom: Awaited<ReturnType<typeof open>>;
let bobRoom: Awaited<ReturnType<typeof open>>;
let sent = 0;

/** Ann sends one message: it must be acknowledged to her and delivered to Bob. */
async function chatStillWorks() {
  sent += 1;
  const id = `outage-${sent}`;
  annRoom.ws.send(JSON.stringify({ type: "send", id, body: `message ${sent}` }));
  expect(await annRoom.next("ack")).toEqual({ type: "ack", id, seq: sent });
  expect(await bobRoom.next("message")).toMatchObject({ message: { seq: sent, body: `message ${sent}` } });
}

beforeAll(async () => {
  redisServer = await startRedisServer();
  upstash = await startUpstashServer({ redisUrl: redisServer.url, token: crypto.randomUUID() });
  server = await startDevServer({
    vars: { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
  });
});

afterAll(async () => {
  for (const socket of [annRoom, bobRoom]) socket?.ws.close();
  await server?.stop();
  await upstash?.stop();
  await redisServer?.dispose();
});

describe("the app with Upstash as its Cache", () => {
  it("reports Upstash in /api/health, and really uses it", async () => {
    expect((await health()).body).toMatchObject({ ok: true, cache: "upstash", answers: { cache: true } });
    const before = upstash.stats().requests;
    ann = await signUp("ann");
    bob = await signUp("bob");
    expect(upstash.stats().requests).toBeGreaterThan(before);

    const added = await call("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(added.status).toBe(201);
    conversationId = ((await added.json()) as { connection: Connection }).connection.conversationId;
    // Bob accepts the request, so that the conversation is not held to a request's three messages.
    expect((await call(`/api/connections/${ann.user.id}/accept`, { cookie: bob.cookie, body: {} })).status).toBe(200);
    annRoom = await open(`/api/conversations/${conversationId}/ws`, ann.cookie);
    bobRoom = await open(`/api/conversations/${conversationId}/ws`, bob.cookie);
    await annRoom.next("hello");
    await bobRoom.next("hello");
    await chatStillWorks();

    // Ann signs in a second time and signs that session out; a copy of its cookie is kept.
    const login = await call("/api/auth/login", { body: { username: ann.username, password: "password123" } });
    endedCookie = cookieOf(login);
    expect((await call("/api/auth/logout", { cookie: endedCookie, body: {} })).status).toBe(204);
    const refused = await call("/api/connections", { cookie: endedCookie, body: { userId: bob.user.id } });
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe("session_ended");
  });

  it("while redis-server hangs: each Upstash call gives up within its time box, chat goes on", async () => {
    redisServer.freeze();
    try {
      // The REST server would answer 503 only after 1 s; the app's own time box is 300 ms.
      const during = await health();
      expect(during.body).toMatchObject({ ok: false, cache: "upstash", answers: { cache: false } });
      expect(during.ms).toBeLessThan(900);
      await chatStillWorks();
      // The embedded backup of the ended sessions answers for Upstash.
      const refused = await call("/api/connections", { cookie: endedCookie, body: { userId: bob.user.id } });
      expect(refused.status).toBe(401);
      expect(await errorCode(refused)).toBe("session_ended");
    } finally {
      redisServer.thaw();
    }
    await untilCacheAnswers();
    // Nothing was lost in the hang: the session signed out of is still ended.
    const refused = await call("/api/connections", { cookie: endedCookie, body: { userId: bob.user.id } });
    expect(await errorCode(refused)).toBe("session_ended");
  });

  describe("with redis-server killed", () => {
    beforeAll(async () => {
      await redisServer.stop();
    });

    it("acknowledges and delivers messages", async () => {
      await chatStillWorks();
      await chatStillWorks();
    });

    it("signs people up", async () => {
      await signUp("carol");
    });

    it("still rate-limits logins, counting in the embedded cache", async () => {
      const username = `nobody_${Math.random().toString(36).slice(2, 10)}`;
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 11; attempt++) {
        statuses.push((await call("/api/auth/login", { body: { username, password: "wrong-password" } })).status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses[10]).toBe(429);
    });

    it("answers history", async () => {
      const response = await call(`/api/conversations/${conversationId}/messages`, { cookie: bob.cookie });
      expect(response.status).toBe(200);
      const { messages } = (await response.json()) as { messages: Message[] };
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    });

    it("keeps an ended session out of state changes and sockets, and lets everyone else in", async () => {
      const refused = await call("/api/connections", { cookie: endedCookie, body: { userId: bob.user.id } });
      expect(refused.status).toBe(401);
      expect(await errorCode(refused)).toBe("session_ended");
      expect(await upgradeStatus(`/api/conversations/${conversationId}/ws`, endedCookie)).toBe(401);
      expect(await upgradeStatus(`/api/conversations/${conversationId}/ws`, bob.cookie)).toBe(101);
    });

    it("reports the Cache as not answering, promptly", async () => {
      const during = await health();
      expect(during.status).toBe(503);
      expect(during.body).toMatchObject({ cache: "upstash", answers: { cache: false } });
      expect(during.ms).toBeLessThan(900);
    });

    it("serves from Upstash again once redis-server is back", async () => {
      await redisServer.start();
      await untilCacheAnswers();
      await chatStillWorks();
    });
  });
});
