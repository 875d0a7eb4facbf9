/**
 * The cache port: presence snapshots, rate-limit counters and short caches. Adapters: the
 * embedded one on Durable Object SQLite (sqlite-cache.ts) and Upstash Redis (upstash-cache.ts),
 * wrapped with the embedded one as fallback (fallback-cache.ts) when Upstash is configured.
 * Values are strings; every key may expire.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Counts one hit in a fixed window: the first hit creates the counter with the window as
   * its lifetime. Returns the count so far and the seconds until the window ends.
   */
  hit(key: string, windowSeconds: number): Promise<{ count: number; resetSeconds: number }>;
}

/**
 * The cache could not answer (unreachable, slow, or it refused the request). Thrown instead of
 * a guess: for some keys (an ended session) "unknown" must not be read as "absent".
 */
export class CacheUnavailableError extends Error {
  override readonly name = "CacheUnavailableError";

  constructor(cause?: unknown) {
    super(`cache unavailable${cause instanceof Error ? `: ${cause.message}` : ""}`, { cause });
  }
}
