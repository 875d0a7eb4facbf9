import { Redis } from "@upstash/redis/cloudflare";
import { type Cache, CacheUnavailableError } from "../ports/cache";

export interface UpstashCacheOptions {
  /** UPSTASH_REDIS_REST_URL, e.g. https://eu1-…upstash.io (http://127.0.0.1:PORT locally). */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN. */
  token: string;
  /** Put before every key, so deployments sharing one database never see each other's keys. */
  prefix: string;
  /** Each call gives up after this long: a slow Upstash must not stall a request. */
  timeoutMs: number;
}

/** The longest lifetime a key may have; Redis itself takes far more, this catches unit mistakes. */
const MAX_TTL_SECONDS = 366 * 24 * 3600;

/** The Cache on Upstash Redis over its REST API: one HTTP request per call, no retries. */
export class UpstashCache implements Cache {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: UpstashCacheOptions) {
    if (!/^https?:\/\/[^\s/]+/.test(options.url)) {
      throw new TypeError(`UpstashCache: url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    if (!options.token || /\s/.test(options.token))
      throw new TypeError("UpstashCache: token must be non-empty, without spaces");
    if (!options.prefix) throw new TypeError("UpstashCache: prefix must be non-empty");
    if (!(options.timeoutMs > 0))
      throw new TypeError(`UpstashCache: timeoutMs must be positive, got ${options.timeoutMs}`);
    const timeoutMs = options.timeoutMs;
    this.prefix = options.prefix.endsWith(":") ? options.prefix : `${options.prefix}:`;
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      // Values stay strings: otherwise "1" comes back as the number 1.
      automaticDeserialization: false,
      // A request path cannot wait for five retries with backoff; the caller falls back instead.
      retry: false,
      // One HTTP request per call, so each call has its own deadline.
      enableAutoPipelining: false,
      enableTelemetry: false,
      // A function, so each request gets a fresh deadline; the client rethrows an abort only then
      // (with a plain signal it would answer the abort reason as if it were the value).
      signal: () => AbortSignal.timeout(timeoutMs),
    });
  }

  async get(key: string): Promise<string | null> {
    return asText(await this.call(() => this.redis.get<string>(this.key(key))));
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    const values = await this.call(() => this.redis.mget<(string | null)[]>(...keys.map((key) => this.key(key))));
    if (!Array.isArray(values) || values.length !== keys.length) {
      throw new CacheUnavailableError(new Error("Upstash MGET: unexpected reply"));
    }
    return values.map(asText);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const ex = wholeSeconds(ttlSeconds, "ttlSeconds");
    await this.call(() => this.redis.set(this.key(key), value, { ex }));
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.redis.del(this.key(key)));
  }

  /**
   * One round trip, atomic: the counter and its lifetime are created together, so no key is
   * ever left without one. EXPIRE NX keeps the first hit's window.
   */
  async hit(key: string, windowSeconds: number): Promise<{ count: number; resetSeconds: number }> {
    const window = wholeSeconds(windowSeconds, "windowSeconds");
    const prefixed = this.key(key);
    const [count, , ttl] = await this.call(() =>
      this.redis.multi().incr(prefixed).expire(prefixed, window, "NX").ttl(prefixed).exec<[number, number, number]>(),
    );
    if (typeof count !== "number" || typeof ttl !== "number") {
      throw new CacheUnavailableError(new Error("Upstash hit: unexpected reply"));
    }
    return { count, resetSeconds: ttl > 0 ? ttl : window };
  }

  /** Every failure of the service (network, timeout, 401, 5xx, an error reply) is an outage to the caller. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new CacheUnavailableError(error);
    }
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }
}

/** Redis lifetimes are whole seconds of at least one: round up, never to zero (SET EX 0 is an error). */
function wholeSeconds(seconds: number, name: string): number {
  if (!Number.isFinite(seconds)) throw new RangeError(`UpstashCache: ${name} must be a finite number, got ${seconds}`);
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole > MAX_TTL_SECONDS) throw new RangeError(`UpstashCache: ${name} of ${seconds} s is over a year`);
  return whole;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string")
    throw new CacheUnavailableError(new Error(`Upstash: expected a string, got ${typeof value}`));
  return value;
}
