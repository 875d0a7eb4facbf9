import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.mjs";
import { startUpstashServer, type UpstashServer } from "../../scripts/upstash-server.mjs";

const TOKEN = "test-token-0123456789";

let redisServer: RedisServer;
let upstash: UpstashServer;

/** The real client as the app configures it: strings stay strings, no retries, no telemetry. */
function client(token = TOKEN, options: { responseEncoding?: false | "base64" } = {}): Redis {
  return new Redis({
    url: upstash.url,
    token,
    automaticDeserialization: false,
    retry: false,
    enableTelemetry: false,
    ...options,
  });
}

/** The wire itself, to check what the server sends rather than what the client makes of it. */
async function raw(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${upstash.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const key = (label: string) => `upstash-test:${crypto.randomUUID()}:${label}`;
const b64 = (text: string) => Buffer.from(text).toString("base64");

beforeAll(async () => {
  redisServer = await startRedisServer();
  upstash = await startUpstashServer({ redisUrl: redisServer.url, token: TOKEN });
});

afterAll(async () => {
  await upstash?.stop();
  await redisServer?.dispose();
});

describe("the local Upstash REST server, through @upstash/redis", () => {
  it("runs single commands and keeps values as strings", async () => {
    const redis = client();
    const k = key("single");
    expect(await redis.set(k, "1", { ex: 60 })).toBe("OK");
    expect(await redis.get(k)).toBe("1");
    expect(await redis.incr(k)).toBe(2);
    expect(await redis.ttl(k)).toBeGreaterThan(0);
    expect(await redis.del(k)).toBe(1);
    expect(await redis.get(k)).toBeNull();
  });

  it("round-trips every kind of string, with and without base64 encoding", async () => {
    const values = ["", "abcd", "OK", "héllo 👋", " padded ", '{"a":[1,"b"]}'];
    for (const encoding of ["base64", false] as const) {
      const redis = client(TOKEN, { responseEncoding: encoding });
      const keys = values.map((_, index) => key(`v${index}`));
      for (const [index, value] of values.entries()) await redis.set(keys[index]!, value);
      expect(await redis.mget(...keys)).toEqual(values);
    }
  });

  it("runs a pipeline in one request, with a slot per command", async () => {
    const redis = client();
    const k = key("counter");
    const results = await redis.pipeline().incr(k).expire(k, 60, "NX").ttl(k).incr(k).expire(k, 5, "NX").exec();
    expect(results).toEqual([1, 1, 60, 2, 0]);
  });

  it("reports a failing command in its own slot while the rest of a pipeline runs", async () => {
    const k = key("text");
    const { status, body } = await raw("/pipeline", [
      ["SET", k, "text"],
      ["INCR", k],
      ["GET", k],
    ]);
    expect(status).toBe(200);
    expect(body).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: "text" },
    ]);
  });

  it("runs multi-exec atomically: a command refused while queueing leaves nothing applied", async () => {
    const redis = client();
    const k = key("tx");
    expect(await redis.multi().set(k, "a").append(k, "b").get(k).exec()).toEqual(["OK", 2, "ab"]);

    const untouched = key("untouched");
    const aborted = await raw("/multi-exec", [["SET", untouched, "x"], ["NOSUCHCOMMAND"]]);
    expect(aborted.status).toBe(400);
    expect(aborted.body).toEqual({ error: expect.stringMatching(/^EXECABORT/) });
    expect(await redis.get(untouched)).toBeNull();

    // The same batch as a pipeline is not atomic: the SET lands.
    await raw("/pipeline", [["SET", untouched, "x"], ["NOSUCHCOMMAND"]]);
    expect(await redis.get(untouched)).toBe("x");
  });

  it("base64-encodes every string in the result, recursively, when asked; numbers, null and errors stay as they are", async () => {
    const k = key("hash");
    const headers = { "Upstash-Encoding": "base64" };
    await raw("/", ["HSET", k, "name", "ann", "city", "Zürich"]);
    expect(await raw("/", ["HGETALL", k], headers)).toEqual({
      status: 200,
      body: { result: [b64("name"), b64("ann"), b64("city"), b64("Zürich")] },
    });
    expect(
      (
        await raw(
          "/pipeline",
          [
            ["HGET", k, "name"],
            ["HLEN", k],
            ["GET", key("none")],
            ["INCR", k],
          ],
          headers,
        )
      ).body,
    ).toEqual([
      { result: b64("ann") },
      { result: 2 },
      { result: null },
      { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
    ]);
    expect((await raw("/", ["HGET", k, "name"])).body).toEqual({ result: "ann" });
  });

  it("turns JSON numbers and booleans into strings, and refuses other argument types", async () => {
    const k = key("args");
    expect((await raw("/", ["SET", k, true, "EX", 60])).body).toEqual({ result: "OK" });
    expect((await raw("/", ["GET", k])).body).toEqual({ result: "true" });
    expect((await raw("/", ["SET", k, 1.5])).body).toEqual({ result: "OK" });
    expect((await raw("/", ["GET", k])).body).toEqual({ result: "1.5" });
    const refused = await raw("/", ["SET", k, { nested: 1 }]);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: expect.stringMatching(/^ERR argument 2 is object/) });
  });

  it("answers errors as Upstash does: 400 with an ERR message, which the client throws", async () => {
    const k = key("wrong");
    await client().set(k, "text");
    expect(await raw("/", ["INCR", k])).toEqual({
      status: 400,
      body: { error: "ERR value is not an integer or out of range" },
    });
    await expect(client().incr(k)).rejects.toThrow(/ERR value is not an integer/);
    expect((await raw("/", "not json")).status).toBe(400);
    expect((await raw("/", [])).status).toBe(400);
    expect((await raw("/pipeline", [])).status).toBe(400);
    expect((await raw("/", ["SUBSCRIBE", "channel"])).body).toEqual({
      error: "ERR Command is not available: 'SUBSCRIBE'",
    });
  });

  it("refuses a wrong or missing token with 401", async () => {
    await expect(client("wrong-token").get(key("any"))).rejects.toThrow(/Unauthorized/);
    const missing = await fetch(upstash.url, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(missing.status).toBe(401);
    const wrong = await raw("/pipeline", [["PING"]], { Authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
  });
});

describe("the local Upstash REST server while Redis is down", () => {
  it("answers 503 at once while redis-server is dead, and serves again once it is back", async () => {
    const redis = client();
    await redisServer.stop();
    try {
      const started = Date.now();
      const down = await raw("/", ["GET", key("any")]);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ error: expect.stringMatching(/^ERR redis is unavailable/) });
      expect((await raw("/multi-exec", [["INCR", key("c")]])).status).toBe(503);
      await expect(redis.get(key("any"))).rejects.toThrow(/redis is unavailable/);
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await redisServer.start();
    }
    await expect.poll(() => raw("/", ["PING"]).then((r) => r.body), { timeout: 5_000 }).toEqual({ result: "PONG" });
  });

  it("answers 503 within about a second when redis-server hangs instead of hanging too", async () => {
    redisServer.freeze();
    try {
      const started = Date.now();
      expect((await raw("/", ["GET", key("any")])).status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      redisServer.thaw();
    }
    await expect.poll(() => raw("/", ["PING"]).then((r) => r.body), { timeout: 5_000 }).toEqual({ result: "PONG" });
  });
});
