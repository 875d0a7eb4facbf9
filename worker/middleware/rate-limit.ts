import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { consume, type RateRule } from "../../server/rate-limit";
import type { AppContext, AppEnv } from "../context";
import { tooManyRequests } from "../lib/errors";

/** Counts the request against `rule` for the subject `subjectOf` names, before any other work. */
export function rateLimited(rule: RateRule, subjectOf: (c: AppContext) => string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await enforce(c, rule, subjectOf(c));
    return next();
  });
}

export async function enforce<E extends AppEnv>(c: Context<E>, rule: RateRule, subject: string): Promise<void> {
  const decision = await consume(c.var.cache, rule, subject);
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
}

/** Set by Cloudflare's edge; absent only in local development. */
export function clientIp(c: Context): string {
  return c.req.header("CF-Connecting-IP") ?? "local";
}
