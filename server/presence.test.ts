import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Cache, CacheUnavailableError } from "./ports/cache";
import { readPresence, recordPresence } from "./presence";

const freshCache = (): Cache => env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID()));

describe("presence snapshots", () => {
  it("reads back who was recorded online", async () => {
    const cache = freshCache();
    await recordPresence(cache, "alice", true);
    await recordPresence(cache, "carol", true);
    const online = await readPresence(cache, ["alice", "bob", "carol"]);
    expect(Object.fromEntries(online)).toEqual({ alice: true, bob: false, carol: true });
  });

  it("forgets a user recorded offline", async () => {
    const cache = freshCache();
    await recordPresence(cache, "alice", true);
    await recordPresence(cache, "alice", false);
    expect((await readPresence(cache, ["alice"])).get("alice")).toBe(false);
  });

  it("answers an empty map for nobody, without asking the cache", async () => {
    const getMany = vi.fn<Cache["getMany"]>();
    const cache = { getMany } as unknown as Cache;
    expect((await readPresence(cache, [])).size).toBe(0);
    expect(getMany).not.toHaveBeenCalled();
  });

  describe("when the cache fails", () => {
    let logged: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
      logged = vi.spyOn(console, "error").mockImplementation(() => {});
    });
    afterEach(() => {
      logged.mockRestore();
    });

    it("shows everyone offline", async () => {
      const broken = { getMany: () => Promise.reject(new Error("cache down")) } as unknown as Cache;
      const online = await readPresence(broken, ["alice", "bob"]);
      expect(Object.fromEntries(online)).toEqual({ alice: false, bob: false });
      expect(logged).toHaveBeenCalled();
    });

    it("leaves an outage to the cache's own once-per-interval log", async () => {
      const down = { getMany: () => Promise.reject(new CacheUnavailableError()) } as unknown as Cache;
      const online = await readPresence(down, ["alice"]);
      expect(online.get("alice")).toBe(false);
      expect(logged).not.toHaveBeenCalled();
    });
  });
});
