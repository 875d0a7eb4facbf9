/**
 * The cache port: presence snapshots, rate-limit counters and short caches. Adapters: the
 * embedded one on Durable Object SQLite (worker/adapters/sqlite-cache.ts); Upstash comes next.
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
