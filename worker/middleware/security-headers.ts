import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";

/** API answers are data, never documents: forbid everything a browser could render from them. */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status === 101) return;
  c.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
  c.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
});
