import { beforeAll, describe, expect, it } from "vitest";
import type { Cache } from "./cache";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A little over one second: long enough for a 1-second lifetime to have ended in any adapter. */
const PAST_ONE_SECOND_MS = 1_150;

/**
 * The behaviour every Cache adapter must have. Only the Cache interface is used, and every test
 * uses its own keys, so adapters whose state outlives a test pass too.
 */
export function describeCacheContract(name: string, makeCache: () => Promise<Cache> | Cache): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    beforeAll(async () => {
      cache = await makeCache();
    });

    /** Keys unique to one test. */
    function keys() {
      const prefix = `test:${crypto.randomUUID()}`;
      return (label: string) => `${prefix}:${label}`;
    }

    describe("values", () => {
      it("returns what was set", async () => {
        const key = keys();
        await cache.set(key("a"), "one", 60);
        expect(await cache.get(key("a"))).toBe("one");
      });

      it("answers null for a key never set", async () => {
        const key = keys();
        expect(await cache.get(key("missing"))).toBeNull();
      });

      it("replaces a value set again", async () => {
        const key = keys();
        await cache.set(key("a"), "one", 60);
        await cache.set(key("a"), "two", 60);
        expect(await cache.get(key("a"))).toBe("two");
      });

      it("keeps values as given, empty and non-ASCII ones included", async () => {
        const key = keys();
        const values = ["", " padded ", "1", "héllo 👋", JSON.stringify({ a: [1, "b"] })];
        for (const [index, value] of values.entries()) await cache.set(key(`v${index}`), value, 60);
        expect(await cache.getMany(values.map((_, index) => key(`v${index}`)))).toEqual(values);
      });

      it("reads many keys at once, in order, with null for the missing ones", async () => {
        const key = keys();
        await cache.set(key("a"), "A", 60);
        await cache.set(key("c"), "C", 60);
        expect(await cache.getMany([key("c"), key("b"), key("a")])).toEqual(["C", null, "A"]);
        expect(await cache.getMany([])).toEqual([]);
      });

      it("deletes a value, and deleting a missing key is harmless", async () => {
        const key = keys();
        await cache.set(key("a"), "A", 60);
        await cache.delete(key("a"));
        expect(await cache.get(key("a"))).toBeNull();
        await expect(cache.delete(key("never"))).resolves.toBeUndefined();
      });

      it("keeps keys independent of each other", async () => {
        const key = keys();
        await cache.set(key("a"), "A", 60);
        await cache.set(key("b"), "B", 60);
        await cache.delete(key("a"));
        expect(await cache.get(key("b"))).toBe("B");
        await cache.hit(key("c"), 60);
        expect(await cache.get(key("b"))).toBe("B");
      });

      it("forgets a value once its time to live has passed, but not a longer-lived or renewed one", async () => {
        const key = keys();
        await cache.set(key("short"), "S", 1);
        await cache.set(key("long"), "L", 60);
        await cache.set(key("renewed"), "R1", 1);
        await cache.set(key("renewed"), "R2", 60);
        expect(await cache.get(key("short"))).toBe("S");
        await sleep(PAST_ONE_SECOND_MS);
        expect(await cache.get(key("short"))).toBeNull();
        expect(await cache.getMany([key("short"), key("long"), key("renewed")])).toEqual([null, "L", "R2"]);
      });
    });

    describe("hit counters", () => {
      it("counts hits within a window", async () => {
        const key = keys();
        const counts = [];
        for (let i = 0; i < 3; i++) counts.push((await cache.hit(key("counter"), 60)).count);
        expect(counts).toEqual([1, 2, 3]);
      });

      it("tells how long until the window ends", async () => {
        const key = keys();
        const first = await cache.hit(key("counter"), 30);
        expect(first.resetSeconds).toBeGreaterThan(0);
        expect(first.resetSeconds).toBeLessThanOrEqual(30);
        const second = await cache.hit(key("counter"), 30);
        expect(second.resetSeconds).toBeGreaterThan(0);
        expect(second.resetSeconds).toBeLessThanOrEqual(first.resetSeconds);
      });

      it("keeps the first hit's window when later hits name another", async () => {
        const key = keys();
        await cache.hit(key("counter"), 5);
        const later = await cache.hit(key("counter"), 3600);
        expect(later.count).toBe(2);
        expect(later.resetSeconds).toBeLessThanOrEqual(5);
      });

      it("starts counting again after the window", async () => {
        const key = keys();
        await cache.hit(key("counter"), 1);
        expect((await cache.hit(key("counter"), 1)).count).toBe(2);
        await sleep(PAST_ONE_SECOND_MS);
        const fresh = await cache.hit(key("counter"), 1);
        expect(fresh.count).toBe(1);
        expect(fresh.resetSeconds).toBeGreaterThan(0);
        expect(fresh.resetSeconds).toBeLessThanOrEqual(1);
      });

      it("counts each key separately", async () => {
        const key = keys();
        await cache.hit(key("a"), 60);
        await cache.hit(key("a"), 60);
        expect((await cache.hit(key("b"), 60)).count).toBe(1);
        expect((await cache.hit(key("a"), 60)).count).toBe(3);
      });
    });
  });
}
