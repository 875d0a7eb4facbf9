import { WIRE_LIMITS } from "../protocol/wire";
import { RATE_RULES } from "../server/rate-limit";
import { TokenBuckets, WindowCounters } from "./token-buckets";

/** A send that must wait: for how long, and whether this refusal started the pause. */
export interface SendRefusal {
  retryAfterMs: number;
  /** Only the refusal that starts a pause counts as a violation: a flood still ends in 1008. */
  startsPause: boolean;
}

/**
 * A room's rate limits, in its memory: sends per socket and per user in this room, resumes per
 * socket. Hibernation resets them, which only forgives a room that was idle long enough to hibernate.
 */
export class SendLimits {
  private readonly sends = new TokenBuckets(WIRE_LIMITS.sendBurst, WIRE_LIMITS.sendsPerSecond);
  private readonly resumes = new TokenBuckets(WIRE_LIMITS.resumeBurst, WIRE_LIMITS.resumesPerSecond);
  /** Per user in this room only: another room of the same user counts on its own. */
  private readonly userSendsHere = new WindowCounters(
    RATE_RULES.sendPerUserPerRoom.limit,
    RATE_RULES.sendPerUserPerRoom.windowSeconds * 1000,
  );
  /** Until when a socket's sends are refused after a rate refusal. */
  private readonly pausedUntil = new WeakMap<WebSocket, number>();

  /**
   * Takes a send from the socket's budget and the user's in this room; null when it may go. While a socket is
   * paused, every send is refused, so none can overtake one refused earlier.
   */
  takeSend(ws: WebSocket, userId: string, now: number): SendRefusal | null {
    const pausedFor = (this.pausedUntil.get(ws) ?? 0) - now;
    if (pausedFor > 0) return { retryAfterMs: pausedFor, startsPause: false };
    const waitMs = this.sends.take(ws, now)
      ? this.userSendsHere.take(userId, now)
      : Math.ceil(1000 / WIRE_LIMITS.sendsPerSecond);
    if (waitMs <= 0) return null;
    this.pausedUntil.set(ws, now + waitMs);
    return { retryAfterMs: waitMs, startsPause: true };
  }

  /** A delete counts against the socket's send budget. */
  takeDelete(ws: WebSocket, now: number): boolean {
    return this.sends.take(ws, now);
  }

  takeResume(ws: WebSocket, now: number): boolean {
    return this.resumes.take(ws, now);
  }
}
