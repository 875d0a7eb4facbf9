import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { forbidden } from "../lib/errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * State-changing requests and WebSocket upgrades must come from the app's own origin (or one
 * listed in ALLOWED_ORIGINS): a forged cross-site form or socket is refused before any work.
 */
export const requireSameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const isUpgrade = c.req.header("Upgrade")?.toLowerCase() === "websocket";
  if (SAFE_METHODS.has(c.req.method) && !isUpgrade) return next();
  const origin = c.req.header("Origin");
  if (!origin) throw forbidden("This request must carry an Origin header.", "origin_required");
  if (!allowedOrigins(c.req.url, c.env.ALLOWED_ORIGINS).has(origin)) {
    throw forbidden("Requests from this origin are not allowed.", "origin_not_allowed");
  }
  return next();
});

function allowedOrigins(requestUrl: string, configured: string | undefined): Set<string> {
  const origins = new Set([new URL(requestUrl).origin]);
  for (const entry of (configured ?? "").split(",")) {
    if (entry.trim()) origins.add(entry.trim());
  }
  return origins;
}
