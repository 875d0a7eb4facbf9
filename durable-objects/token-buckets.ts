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
