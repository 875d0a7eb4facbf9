import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Cache } from "./ports/cache";
import { consume, RATE_RULES, type RateRule } from "./rate-limit";

const rule: RateRule = { name: "test-rule", limit: 3, windowSeconds: 60 };

/** A fresh embedded cache per test, reached as the app reaches it. */
const freshCache = (): Cache => env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID()));

/** A cache whose counter is down: every call fails. */
const brokenCache: Cache = {
  get: () => Promise.reject(new Error("cache down")),
  getMany: () => Promise.reject(new Error("cache down")),
  set: () => Promise.reject(new Error("cache down")),
  delete: () => Promise.reject(new Error("cache down")),
  hit: () => Promise.reject(new Error("cache down")),
};

describe("consume", () => {
  it("allows attempts up to the limit, then refuses with a time to wait", async () => {
    const cache = freshCache();
    const decisions = [];
    for (let i = 0; i < rule.limit; i++) decisions.push(await consume(cache, rule, "203.0.113.7"));
    expect(decisions).toEqual(Array.from({ length: rule.limit }, () => ({ allowed: true })));
    const refused = await consume(cache, rule, "203.0.113.7");
    expect(refused.allowed).toBe(false);
    const retryAfter = refused.allowed ? 0 : refused.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(rule.windowSeconds);
  });

  it("keeps refusing while the window lasts", async () => {
    const cache = freshCache();
    for (let i = 0; i < rule.limit; i++) await consume(cache, rule, "alice");
    expect((await consume(cache, rule, "alice")).allowed).toBe(false);
    expect((await consume(cache, rule, "alice")).allowed).toBe(false);
  });

  it("counts a subject whatever its case", async () => {
    const cache = freshCache();
    await consume(cache, rule, "Alice");
    await consume(cache, rule, "ALICE");
    await consume(cache, rule, "alice");
    expect((await consume(cache, rule, "aLiCe")).allowed).toBe(false);
  });

  it("counts subjects and rules separately", async () => {
    const cache = freshCache();
    for (let i = 0; i < rule.limit; i++) await consume(cache, rule, "alice");
    expect(await consume(cache, rule, "bob")).toEqual({ allowed: true });
    expect(await consume(cache, { ...rule, name: "other-rule" }, "alice")).toEqual({ allowed: true });
    expect((await consume(cache, rule, "alice")).allowed).toBe(false);
  });

  describe("when the cache fails", () => {
    let logged: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
      logged = vi.spyOn(console, "error").mockImplementation(() => {});
    });
    afterEach(() => {
      logged.mockRestore();
    });

    it("allows the attempt rather than lock everyone out, and logs the failure", async () => {
      for (let i = 0; i < rule.limit + 2; i++)
        expect(await consume(brokenCache, rule, "alice")).toEqual({ allowed: true });
      expect(logged).toHaveBeenCalled();
    });

    it("allows the attempt when hit() throws before returning a promise", async () => {
      const throwing: Cache = {
        ...brokenCache,
        hit: () => {
          throw new Error("cache down");
        },
      };
      expect(await consume(throwing, rule, "alice")).toEqual({ allowed: true });
    });
  });
});

describe("RATE_RULES", () => {
  it("gives every rule its own name and a positive limit and window", () => {
    const rules = Object.values(RATE_RULES);
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.limit, r.name).toBeGreaterThan(0);
      expect(r.windowSeconds, r.name).toBeGreaterThan(0);
    }
  });
});
