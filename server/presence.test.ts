import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Cache, CacheUnavailableError } from "./ports/cache";
import { forgetPresence, readPresence, recordPresence } from "./presence";

const freshCache = (): Cache => env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID()));

describe("presence snapshots", () => {
  it("reads back who was recorded online", async () => {
    const cache = freshCache();
    await recordPresence(cache, "alice", true);
    await recordPresence(cache, "carol", true);
    const presence = await readPresence(cache, ["alice", "bob", "carol"]);
    expect([...presence].map(([id, { online }]) => [id, online])).toEqual([
      ["alice", true],
      ["bob", false],
      ["carol", true],
    ]);
  });

  it("keeps when a user recorded offline was last seen", async () => {
    const cache = freshCache();
    await recordPresence(cache, "alice", true);
    const leftAt = Date.parse("2026-11-24T10:00:00Z");
    await recordPresence(cache, "alice", false, leftAt);
    expect((await readPresence(cache, ["alice"])).get("alice")).toEqual({
      online: false,
      lastSeenAt: "2026-11-24T10:00:00.000Z",
    });
  });

  it("forgets everything about an ended account", async () => {
    const cache = freshCache();
    await recordPresence(cache, "alice", false);
    await forgetPresence(cache, "alice");
    expect((await readPresence(cache, ["alice"])).get("alice")).toEqual({ online: false, lastSeenAt: null });
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
      const presence = await readPresence(broken, ["alice", "bob"]);
      expect(Object.fromEntries(presence)).toEqual({
        alice: { online: false, lastSeenAt: null },
        bob: { online: false, lastSeenAt: null },
      });
      expect(logged).toHaveBeenCalled();
    });

    it("leaves an outage to the cache's own once-per-interval log", async () => {
      const down = { getMany: () => Promise.reject(new CacheUnavailableError()) } as unknown as Cache;
      const presence = await readPresence(down, ["alice"]);
      expect(presence.get("alice")?.online).toBe(false);
      expect(logged).not.toHaveBeenCalled();
    });
  });
});
