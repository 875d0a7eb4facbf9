import { log } from "./log";
import type { Cache } from "./ports/cache";

export type SessionState = "active" | "ended" | "unknown";

const key = (sessionId: string) => `session-ended:${sessionId}`;

/**
 * Sessions that were logged out, remembered until they would have expired. Each logout is
 * written to the Cache and to a backup (the embedded cache, when the Cache is Upstash), so that
 * while Upstash is down the backup still answers: an ended session stays out and everyone else
 * stays in. Only when neither answers is the state unknown, and the caller fails closed.
 */
export class EndedSessions {
  constructor(
    private readonly cache: Cache,
    private readonly backup: Cache | null,
  ) {}

  /** Records a logout in both; throws only when neither took it. */
  async record(sessionId: string, ttlSeconds: number): Promise<void> {
    const writes = [this.cache, this.backup].flatMap((cache) =>
      cache ? [cache.set(key(sessionId), "1", ttlSeconds)] : [],
    );
    const results = await Promise.allSettled(writes);
    const failed = results.filter((result) => result.status === "rejected");
    if (failed.length === results.length) throw new Error("no cache recorded the ended session");
    if (failed.length > 0) log("warn", "ended_session_in_one_cache_only");
  }

  async state(sessionId: string): Promise<SessionState> {
    for (const cache of [this.cache, this.backup]) {
      if (!cache) continue;
      try {
        return (await cache.get(key(sessionId))) === "1" ? "ended" : "active";
      } catch {
        // The next one answers; an outage is logged once per interval by the cache itself.
      }
    }
    return "unknown";
  }
}
