import { Redis as RedisProtocol } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.mjs";
import { startUpstashServer, type UpstashServer } from "../../scripts/upstash-server.mjs";
import { UpstashCache } from "../../server/adapters/upstash-cache";
import { CacheUnavailableError } from "../../server/ports/cache";
import { describeCacheContract } from "../../server/ports/cache.contract";

const TOKEN = "test-token-node-adapter";

let redisServer: RedisServer;
let upstash: UpstashServer;
/** Straight to Redis, to see what the adapter really stored. */
let direct: RedisProtocol;

function adapter(options: Partial<{ prefix: string; timeoutMs: number; token: string }> = {}): UpstashCache {
  return new UpstashCache({
    url: upstash.url,
    token: options.token ?? TOKEN,
    prefix: options.prefix ?? `test-${crypto.randomUUID()}`,
    timeoutMs: options.timeoutMs ?? 1_000,
  });
}

beforeAll(async () => {
  redisServer = await startRedisServer();
  upstash = await startUpstashServer({ redisUrl: redisServer.url, token: TOKEN });
  direct = new RedisProtocol(redisServer.url, { protocol: 2, maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  direct?.disconnect();
  await upstash?.stop();
  await redisServer?.dispose();
});

// Through the real @upstash/redis client, the local REST server and a real redis-server.
describeCacheContract("Upstash (from Node)", () => adapter());

describe("UpstashCache", () => {
  it("counts a hit in one round trip, atomically (INCR, EXPIRE NX, TTL in one multi-exec)", async () => {
    const cache = adapter();
    const before = upstash.stats();
    await cache.hit("rate:login:ann", 60);
    expect(upstash.stats()).toEqual({ requests: before.requests + 1, commands: before.commands + 3 });
  });

  it("reads many keys in one round trip", async () => {
    const cache = adapter();
    const before = upstash.stats();
    await cache.getMany(["a", "b", "c", "d"]);
    expect(upstash.stats().requests).toBe(before.requests + 1);
  });

  it("puts the deployment's prefix before every key, and gives every key a lifetime", async () => {
    const prefix = `deploy-${crypto.randomUUID()}`;
    const cache = adapter({ prefix });
    await cache.set("presence:u1", "1", 90);
    await cache.set("session-ended:s1", "1", 0.2); // rounded up to one second, never zero
    await cache.hit("rate:signup:1.2.3.4", 3600);
    const keys = (await direct.keys(`${prefix}:*`)).sort();
    expect(keys).toEqual([`${prefix}:presence:u1`, `${prefix}:rate:signup:1.2.3.4`, `${prefix}:session-ended:s1`]);
    for (const key of keys) expect(await direct.ttl(key)).toBeGreaterThanOrEqual(1);
    expect(await direct.ttl(`${prefix}:session-ended:s1`)).toBe(1);
    // Another deployment's keys are another deployment's.
    expect(await adapter({ prefix: `other-${prefix}` }).get("presence:u1")).toBeNull();
  });

  it("refuses bad input with a clear error before calling Upstash", async () => {
    const cache = adapter();
    await expect(cache.set("k", "v", Number.NaN)).rejects.toThrow(RangeError);
    await expect(cache.hit("k", Number.POSITIVE_INFINITY)).rejects.toThrow(/windowSeconds must be a finite number/);
    expect(
      () => new UpstashCache({ url: "redis://127.0.0.1:6379", token: TOKEN, prefix: "p", timeoutMs: 300 }),
    ).toThrow(/url must be an http\(s\) URL/);
    expect(() => new UpstashCache({ url: upstash.url, token: "", prefix: "p", timeoutMs: 300 })).toThrow(/token/);
  });

  it("reports a refused token as the cache being unavailable", async () => {
    await expect(adapter({ token: "wrong" }).get("k")).rejects.toBeInstanceOf(CacheUnavailableError);
  });

  it("gives up after its time box when Redis hangs, instead of waiting for the server", async () => {
    const cache = adapter({ timeoutMs: 300 });
    redisServer.freeze();
    try {
      const started = Date.now();
      await expect(cache.hit("rate:x", 60)).rejects.toBeInstanceOf(CacheUnavailableError);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(800); // the REST server itself would answer only after 1 s
    } finally {
      redisServer.thaw();
    }
  });

  it("fails at once while redis-server is dead, and works again once it is back", async () => {
    const cache = adapter();
    await redisServer.stop();
    try {
      const started = Date.now();
      await expect(cache.get("k")).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await redisServer.start();
    }
    await expect.poll(() => cache.set("k", "back", 60).then(() => cache.get("k")), { timeout: 5_000 }).toBe("back");
  });
});
