import { Hono } from "hono";
import type { HealthBody } from "../../protocol/api";
import { describePorts } from "../../server/ports";
import type { AppEnv } from "../context";

export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const ports = describePorts(c.env);
  try {
    await Promise.all([c.var.store.getUser("health-check"), c.var.cache.get("health-check")]);
    return c.json<HealthBody>({ ok: true, ...ports });
  } catch (error) {
    console.error("health check failed", error);
    return c.json<HealthBody>({ ok: false, ...ports }, 503);
  }
});
