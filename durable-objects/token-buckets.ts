/**
 * A token bucket per socket, in memory: a burst, then a steady rate. Hibernation resets it,
 * which only forgives a socket that was idle long enough to hibernate.
 */
export class TokenBuckets {
  private readonly buckets = new WeakMap<WebSocket, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  /** Takes one token; false when the socket has none left. */
  take(ws: WebSocket, now: number): boolean {
    const bucket = this.buckets.get(ws) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(ws, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * Fixed-window counters per key, in memory: a user's sends across their sockets in one room,
 * checked without leaving the object. Hibernation resets them, forgiving an idle user.
 */
export class WindowCounters {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit; 0 when allowed, else the milliseconds until the window ends. */
  take(key: string, now: number): number {
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return window.endsAt - now;
    window.count += 1;
    return 0;
  }
}
