import { createMiddleware } from "hono/factory";
import { stripInternalHeaders } from "../../durable-objects/identity";
import { cacheFor, storeFor } from "../../server/ports";
import type { AppEnv } from "../context";

/** Strips internal headers from outside, and puts the ports on the context for the routes. */
export const withPorts = createMiddleware<AppEnv>(async (c, next) => {
  c.req.raw = stripInternalHeaders(c.req.raw);
  c.set("store", storeFor(c.env));
  c.set("cache", cacheFor(c.env));
  return next();
});
