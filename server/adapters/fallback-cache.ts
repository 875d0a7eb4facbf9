import { log as logEvent } from "../log";
import { type Cache, CacheUnavailableError } from "../ports/cache";

/**
 * What one isolate knows about the primary cache's health, shared by every request it serves:
 * after a failure the primary is skipped for `retryAfterMs` (requests do not each wait for a
 * timeout), and the failure is logged once per `logIntervalMs`, not once per request.
 */
export class CacheOutage {
  private downUntil = 0;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private failuresSinceLog = 0;

  constructor(
    private readonly name: string,
    private readonly options: { retryAfterMs: number; logIntervalMs: number },
    private readonly now: () => number = Date.now,
    private readonly log: (message: string, error: unknown) => void = (message, error) =>
      logEvent("error", "cache_outage", { message }, error),
  ) {}

  /** True while the primary failed recently and should not be asked. */
  isDown(): boolean {
    return this.now() < this.downUntil;
  }

  failed(error: unknown): void {
    const now = this.now();
    this.downUntil = now + this.options.retryAfterMs;
    this.failuresSinceLog += 1;
    if (now - this.lastLoggedAt < this.options.logIntervalMs) return;
    this.log(
      `${this.name} unavailable (${this.failuresSinceLog} failure(s) since last logged); rate limits use the embedded cache, presence reads answer offline, ended-session checks refuse`,
      error,
    );
    this.lastLoggedAt = now;
    this.failuresSinceLog = 0;
  }

  recovered(): void {
    this.downUntil = 0;
  }
}

/**
 * The production Cache: the primary (Upstash) first. When it fails, rate-limit counters move
 * to the fallback (the embedded cache), so limits keep holding; every other call throws
 * CacheUnavailableError, because a stale or missing value there (an ended session) must not be
 * read as "absent". Callers decide what unavailable means for them. Only CacheUnavailableError
 * counts as an outage; any other error (bad input) passes through untouched.
 */
export class FallbackCache implements Cache {
  constructor(
    private readonly primary: Cache,
    private readonly fallback: Cache,
    private readonly outage: CacheOutage,
  ) {}

  get(key: string): Promise<string | null> {
    return this.primaryOnly((cache) => cache.get(key));
  }

  getMany(keys: string[]): Promise<(string | null)[]> {
    return this.primaryOnly((cache) => cache.getMany(keys));
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.primaryOnly((cache) => cache.set(key, value, ttlSeconds));
  }

  delete(key: string): Promise<void> {
    return this.primaryOnly((cache) => cache.delete(key));
  }

  async hit(key: string, windowSeconds: number): Promise<{ count: number; resetSeconds: number }> {
    if (!this.outage.isDown()) {
      try {
        const result = await this.primary.hit(key, windowSeconds);
        this.outage.recovered();
        return result;
      } catch (error) {
        if (!(error instanceof CacheUnavailableError)) throw error;
        this.outage.failed(error);
      }
    }
    return this.fallback.hit(key, windowSeconds);
  }

  private async primaryOnly<T>(call: (cache: Cache) => Promise<T>): Promise<T> {
    if (this.outage.isDown()) throw new CacheUnavailableError();
    try {
      const result = await call(this.primary);
      this.outage.recovered();
      return result;
    } catch (error) {
      // Bad input is the caller's bug, not an outage.
      if (!(error instanceof CacheUnavailableError)) throw error;
      this.outage.failed(error);
      throw error;
    }
  }
}
