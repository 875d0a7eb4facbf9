import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EndedSessions } from "./ended-sessions";
import type { Cache } from "./ports/cache";

const embedded = (): Cache => env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID()));
const down = (): Cache => {
  const fail = () => Promise.reject(new Error("unreachable"));
  return { get: fail, getMany: fail, set: fail, delete: fail, hit: fail };
};
/** A cache that counts the calls made to it, in front of a real one. */
const counting = (cache: Cache) => {
  const calls: string[] = [];
  const counted = new Proxy(cache, {
    get: (target, key) => {
      const value = Reflect.get(target, key);
      if (typeof value !== "function" || typeof key !== "string" || key === "then") return value;
      return (...args: unknown[]) => {
        calls.push(key);
        return (target as unknown as Record<string, (...args: unknown[]) => unknown>)[key]!(...args);
      };
    },
  });
  return { cache: counted, calls };
};
const session = (sessionId: string, userId = "u1") => ({ sessionId, userId });

describe("ended sessions with a backup", () => {
  it("still tells an ended session from an active one while the cache is down", async () => {
    const sessions = new EndedSessions(down(), embedded());
    await sessions.recordSession("logged-out", 60);
    expect(await sessions.state(session("logged-out"))).toBe("session-ended");
    expect(await sessions.state(session("still-in"))).toBe("active");
  });

  it("reads the cache first when it answers", async () => {
    const cache = embedded();
    await new EndedSessions(cache, null).recordSession("logged-out", 60);
    expect(await new EndedSessions(cache, down()).state(session("logged-out"))).toBe("session-ended");
  });

  it("cannot say when neither answers, and a logout then fails loudly", async () => {
    const sessions = new EndedSessions(down(), down());
    expect(await sessions.state(session("anyone"))).toBe("unknown");
    await expect(sessions.recordSession("anyone", 60)).rejects.toThrow();
    await expect(sessions.recordAccount("anyone", 60)).rejects.toThrow();
  });
});

describe("ended accounts", () => {
  it("end every session of the account, and no other account's", async () => {
    const sessions = new EndedSessions(embedded(), null);
    await sessions.recordAccount("gone", 60);
    expect(await sessions.state(session("first tab", "gone"))).toBe("account-ended");
    expect(await sessions.state(session("second device", "gone"))).toBe("account-ended");
    expect(await sessions.state(session("first tab", "still-here"))).toBe("active");
  });

  it("are answered by the backup while the cache is down", async () => {
    const sessions = new EndedSessions(down(), embedded());
    await sessions.recordAccount("gone", 60);
    expect(await sessions.state(session("s1", "gone"))).toBe("account-ended");
  });

  it("are checked with the session in one cache call", async () => {
    const { cache, calls } = counting(embedded());
    const sessions = new EndedSessions(cache, null);
    await sessions.recordSession("logged-out", 60);
    calls.length = 0;
    expect(await sessions.state(session("logged-out", "gone"))).toBe("session-ended");
    expect(calls).toEqual(["getMany"]);
  });
});
