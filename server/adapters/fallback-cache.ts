import type { Outage } from "../outage";
import { type Cache, CacheUnavailableError } from "../ports/cache";

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
    private readonly outage: Outage,
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
    if (!this.outage.shouldSkip()) {
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
    if (this.outage.shouldSkip()) throw new CacheUnavailableError();
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
