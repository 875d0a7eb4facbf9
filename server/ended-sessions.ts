import { log } from "./log";
import type { Cache } from "./ports/cache";

/** `session-ended`: logged out; `account-ended`: the account was deleted or purged. */
export type SessionState = "active" | "session-ended" | "account-ended" | "unknown";

const sessionKey = (sessionId: string) => `session-ended:${sessionId}`;
const accountKey = (userId: string) => `account-ended:${userId}`;

/**
 * Sessions that ended before their token expires: logged out, or of an account that ended. The
 * session token is all a request needs besides this, so the Store is not asked per request.
 * Each end is written to the Cache and to a backup (the embedded cache, when the Cache is
 * Upstash), so that while Upstash is down the backup still answers: an ended session stays out
 * and everyone else stays in. Only when neither answers is the state unknown, and the caller
 * fails closed.
 */
export class EndedSessions {
  constructor(
    private readonly cache: Cache,
    private readonly backup: Cache | null,
  ) {}

  /** Records a logout; throws only when neither cache took it. */
  recordSession(sessionId: string, ttlSeconds: number): Promise<void> {
    return this.record(sessionKey(sessionId), ttlSeconds);
  }

  /**
   * Records that an account ended: every session of it is out. `ttlSeconds` must reach past the
   * expiry of its last session. Throws only when neither cache took it.
   */
  recordAccount(userId: string, ttlSeconds: number): Promise<void> {
    return this.record(accountKey(userId), ttlSeconds);
  }

  /** The session and its account, in one Cache call per request. */
  async state(session: { sessionId: string; userId: string }): Promise<SessionState> {
    for (const cache of [this.cache, this.backup]) {
      if (!cache) continue;
      try {
        const [sessionEnded, accountEnded] = await cache.getMany([
          sessionKey(session.sessionId),
          accountKey(session.userId),
        ]);
        if (accountEnded === "1") return "account-ended";
        return sessionEnded === "1" ? "session-ended" : "active";
      } catch {
        // The next one answers; an outage is logged once per interval by the cache itself.
      }
    }
    return "unknown";
  }

  private async record(key: string, ttlSeconds: number): Promise<void> {
    const writes = [this.cache, this.backup].flatMap((cache) => (cache ? [cache.set(key, "1", ttlSeconds)] : []));
    const results = await Promise.allSettled(writes);
    const failed = results.filter((result) => result.status === "rejected");
    if (failed.length === results.length) throw new Error(`no cache recorded ${key.slice(0, key.indexOf(":"))}`);
    if (failed.length > 0) log("warn", "ended_session_in_one_cache_only");
  }
}
