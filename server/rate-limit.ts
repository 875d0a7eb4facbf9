import { log } from "./log";
import type { Cache } from "./ports/cache";

export interface RateRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * The limits docs/architecture.md lists (Limits): sign-up and login per IP and per username;
 * search, requests and invites per user and per IP, so that one account cannot list or reach
 * everyone; group creation and group changes per user; sends per user in each room.
 */
export const RATE_RULES = {
  signupPerIp: { name: "signup-ip", limit: 20, windowSeconds: 3600 },
  loginPerIp: { name: "login-ip", limit: 30, windowSeconds: 600 },
  loginPerUsername: { name: "login-user", limit: 10, windowSeconds: 600 },
  /**
   * Counted by each room in its own memory (`SendLimits`), not in the Cache: a user has this many
   * in every room at once, and a room that hibernates starts counting afresh.
   */
  sendPerUserPerRoom: { name: "send-user-room", limit: 120, windowSeconds: 60 },
  searchPerUser: { name: "search-user", limit: 30, windowSeconds: 60 },
  searchPerIp: { name: "search-ip", limit: 60, windowSeconds: 60 },
  requestPerUser: { name: "request-user", limit: 20, windowSeconds: 3600 },
  requestPerIp: { name: "request-ip", limit: 60, windowSeconds: 3600 },
  invitePerUser: { name: "invite-user", limit: 20, windowSeconds: 3600 },
  inviteLookupPerIp: { name: "invite-ip", limit: 60, windowSeconds: 600 },
  groupCreatePerUser: { name: "group-create-user", limit: 20, windowSeconds: 3600 },
  /** Renames, adds, removals, admins, leaving and muting: each one is a Store write and a line for everyone. */
  groupChangePerUser: { name: "group-change-user", limit: 120, windowSeconds: 3600 },
} satisfies Record<string, RateRule>;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one attempt against a rule. When the cache itself fails, the attempt is allowed:
 * a broken counter must not lock everyone out.
 */
export async function consume(cache: Cache, rule: RateRule, subject: string): Promise<RateDecision> {
  try {
    const { count, resetSeconds } = await cache.hit(`rate:${rule.name}:${subject.toLowerCase()}`, rule.windowSeconds);
    return count <= rule.limit ? { allowed: true } : { allowed: false, retryAfterSeconds: resetSeconds };
  } catch (error) {
    log("error", "rate_limit_check_failed", { rule: rule.name }, error);
    return { allowed: true };
  }
}
