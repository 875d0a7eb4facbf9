import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EndedSessions } from "./ended-sessions";
import type { Cache } from "./ports/cache";

const embedded = (): Cache => env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(crypto.randomUUID()));
const down = (): Cache => {
  const fail = () => Promise.reject(new Error("unreachable"));
  return { get: fail, getMany: fail, set: fail, delete: fail, hit: fail };
};

describe("ended sessions with a backup", () => {
  it("still tells an ended session from an active one while the cache is down", async () => {
    const sessions = new EndedSessions(down(), embedded());
    await sessions.record("logged-out", 60);
    expect(await sessions.state("logged-out")).toBe("ended");
    expect(await sessions.state("still-in")).toBe("active");
  });

  it("reads the cache first when it answers", async () => {
    const cache = embedded();
    await new EndedSessions(cache, null).record("logged-out", 60);
    expect(await new EndedSessions(cache, down()).state("logged-out")).toBe("ended");
  });

  it("cannot say when neither answers, and a logout then fails loudly", async () => {
    const sessions = new EndedSessions(down(), down());
    expect(await sessions.state("anyone")).toBe("unknown");
    await expect(sessions.record("anyone", 60)).rejects.toThrow();
  });
});
