import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Outage } from "../outage";
import { type Cache, CacheUnavailableError } from "../ports/cache";
import { FallbackCache } from "./fallback-cache";
import { UpstashCache } from "./upstash-cache";

/** Set by the workers project's global setup (test/services/upstash-for-workers.ts). */
const { TEST_UPSTASH_URL, TEST_UPSTASH_TOKEN } = env as unknown as Record<string, string>;

const RETRY_AFTER_MS = 5_000;
const LOG_INTERVAL_MS = 60_000;

/** Upstash as configured; `token` other than the server's makes every call fail with 401. */
function upstash(token = TEST_UPSTASH_TOKEN ?? ""): UpstashCache {
  return new UpstashCache({
    url: TEST_UPSTASH_URL ?? "",
    token,
    prefix: `test-${crypto.randomUUID()}`,
    timeoutMs: 1_000,
  });
}

/** The embedded cache as the app reaches it, a fresh object per test. */
function embedded(): Cache {
  return env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID()));
}

/** An outage record on a clock the test moves, with its log lines collected. */
function outage() {
  const clock = { now: 1_000_000 };
  const logged: string[] = [];
  const record = new Outage(
    "Upstash",
    { retryAfterMs: RETRY_AFTER_MS, logIntervalMs: LOG_INTERVAL_MS, meanwhile: "the embedded cache counts" },
    () => clock.now,
    (message) => logged.push(message),
  );
  return { record, clock, logged };
}

describe("FallbackCache", () => {
  it("uses Upstash while it answers, and leaves the embedded cache alone", async () => {
    const primary = upstash();
    const fallback = embedded();
    const cache = new FallbackCache(primary, fallback, outage().record);
    await cache.set("presence:u1", "1", 60);
    expect(await cache.get("presence:u1")).toBe("1");
    expect((await cache.hit("rate:login:ann", 60)).count).toBe(1);
    expect((await cache.hit("rate:login:ann", 60)).count).toBe(2);
    expect(await primary.get("presence:u1")).toBe("1");
    expect((await fallback.hit("rate:login:ann", 60)).count).toBe(1);
  });

  it("keeps counting rate limits in the embedded cache while Upstash fails", async () => {
    const fallback = embedded();
    const { record } = outage();
    const cache = new FallbackCache(upstash("wrong-token"), fallback, record);
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push((await cache.hit("rate:login:ann", 600)).count);
    expect(counts).toEqual([1, 2, 3]);
    expect(record.isDown()).toBe(true);
    expect((await fallback.hit("rate:login:ann", 600)).count).toBe(4);
  });

  it("refuses to guess a value while Upstash fails: reads and writes throw CacheUnavailableError", async () => {
    const cache = new FallbackCache(upstash("wrong-token"), embedded(), outage().record);
    await expect(cache.get("session-ended:s1")).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.getMany(["presence:a", "presence:b"])).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.set("session-ended:s1", "1", 60)).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.delete("presence:a")).rejects.toBeInstanceOf(CacheUnavailableError);
  });

  it("skips Upstash for a while after a failure, then asks it again", async () => {
    const primary = upstash();
    const fallback = embedded();
    const { record, clock } = outage();
    const cache = new FallbackCache(primary, fallback, record);
    record.failed(new Error("timed out"));

    // Upstash answers, but is not asked: counters go to the embedded cache, reads fail at once.
    expect((await cache.hit("rate:x", 60)).count).toBe(1);
    expect(await primary.get("rate:x")).toBeNull();
    await expect(cache.get("rate:x")).rejects.toBeInstanceOf(CacheUnavailableError);

    clock.now += RETRY_AFTER_MS;
    expect((await cache.hit("rate:x", 60)).count).toBe(1);
    expect(await primary.get("rate:x")).toBe("1");
    expect(record.isDown()).toBe(false);
  });

  it("logs an outage once per interval, not once per failing request", async () => {
    const { record, clock, logged } = outage();
    const cache = new FallbackCache(upstash("wrong-token"), embedded(), record);
    for (let i = 0; i < 3; i++) {
      await cache.hit("rate:x", 60);
      clock.now += RETRY_AFTER_MS; // past the skip window, so Upstash is asked (and fails) each time
    }
    expect(logged).toHaveLength(1);
    clock.now += LOG_INTERVAL_MS;
    await cache.get("k").catch(() => {});
    expect(logged).toHaveLength(2);
    expect(logged[1]).toMatch(/^Upstash unavailable \(3 failure\(s\) since last logged\)/);
  });

  it("passes bad input through as it is, without counting it as an outage", async () => {
    const { record } = outage();
    const cache = new FallbackCache(upstash(), embedded(), record);
    await expect(cache.hit("k", Number.NaN)).rejects.toThrow(RangeError);
    await expect(cache.set("k", "v", Number.NaN)).rejects.toThrow(RangeError);
    expect(record.isDown()).toBe(false);
  });
});
