import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { storeFor } from "../../server/ports";
import type { Cache } from "../../server/ports/cache";
import { api, signUp } from "../../test/workers/helpers";
import type { AppEnv } from "../context";
import { onError } from "../middleware/errors";
import { requireUser } from "./session";

/** A Cache that cannot be reached: the outage this suite is about (a unit test of the code around it). */
const unreachableCache: Cache = {
  get: () => Promise.reject(new Error("cache unreachable")),
  getMany: () => Promise.reject(new Error("cache unreachable")),
  set: () => Promise.reject(new Error("cache unreachable")),
  delete: () => Promise.reject(new Error("cache unreachable")),
  hit: () => Promise.reject(new Error("cache unreachable")),
};

/** requireUser in front of a read, a write and an upgrade, with the real Store and a Cache that fails. */
function appWithoutCache() {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("store", storeFor(c.env));
    c.set("cache", unreachableCache);
    await next();
  });
  app.use(requireUser);
  app.get("/read", (c) => c.text("read"));
  app.post("/write", (c) => c.text("written"));
  app.get("/ws", (c) => c.text("upgraded"));
  app.onError(onError);
  return app;
}

describe("requireUser when the ended-session list cannot be read", () => {
  it("refuses state changes and upgrades with 503, even for a session that was logged out", async () => {
    const ann = await signUp();
    expect((await api("/api/auth/logout", { method: "POST", cookie: ann.cookie })).status).toBe(204);
    const app = appWithoutCache();
    const write = await app.request("/write", { method: "POST", headers: { Cookie: ann.cookie } }, env);
    expect(write.status).toBe(503);
    expect(await write.json()).toMatchObject({ error: { code: "session_check_unavailable" } });
    const upgrade = await app.request("/ws", { headers: { Cookie: ann.cookie, Upgrade: "websocket" } }, env);
    expect(upgrade.status).toBe(503);
  });

  it("still serves reads on a valid signature", async () => {
    const ann = await signUp();
    const read = await appWithoutCache().request("/read", { headers: { Cookie: ann.cookie } }, env);
    expect(read.status).toBe(200);
  });
});
