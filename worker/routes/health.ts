import { Hono } from "hono";
import type { HealthBody } from "../../protocol/api";
import { log } from "../../server/log";
import { describePorts } from "../../server/ports";
import type { AppEnv } from "../context";

/** Which adapters serve this deployment and whether each answers now; 503 when one does not. */
export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const started = Date.now();
  const [store, cache] = await Promise.all([
    c.var.store.ping().then(
      (result) => result.ok,
      (error: unknown) => {
        log("error", "health_store_failed", {}, error);
        return false;
      },
    ),
    c.var.cache.get("health-check").then(
      () => true,
      (error: unknown) => {
        log("error", "health_cache_failed", {}, error);
        return false;
      },
    ),
  ]);
  const ok = store && cache;
  const body: HealthBody = { ok, ...describePorts(c.env), answers: { store, cache, storeMs: Date.now() - started } };
  return c.json<HealthBody>(body, ok ? 200 : 503);
});
