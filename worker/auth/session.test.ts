import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { cacheFor, storeFor } from "../../server/ports";
import type { Cache } from "../../server/ports/cache";
import type { Store } from "../../server/ports/store";
import { api, login, signUp } from "../../test/workers/helpers";
import type { AppEnv } from "../context";
import { onError } from "../middleware/errors";
import { requireUser } from "./session";
import { signSession } from "./session-token";

/** A Cache that cannot be reached: the outage this suite is about (a unit test of the code around it). */
const unreachableCache: Cache = {
  get: () => Promise.reject(new Error("cache unreachable")),
  getMany: () => Promise.reject(new Error("cache unreachable")),
  set: () => Promise.reject(new Error("cache unreachable")),
  delete: () => Promise.reject(new Error("cache unreachable")),
  hit: () => Promise.reject(new Error("cache unreachable")),
};

/** A Store that answers every call `unavailable`, as MongoDB down does, and records the calls. */
function unreachableStore() {
  const calls: string[] = [];
  const store = new Proxy({} as Store, {
    get: (_target, key) => {
      if (typeof key !== "string" || key === "then") return undefined;
      return async () => {
        calls.push(key);
        return { ok: false, reason: "unavailable" };
      };
    },
  });
  return { store, calls };
}

/** requireUser in front of a read, a write and an upgrade, with the real Store and a Cache that fails. */
function appWithoutCache() {
  return appWith(storeFor, () => unreachableCache);
}

/** requireUser in front of a read, a write and an upgrade, with the Store and the Cache given. */
function appWith(store: (env: Env) => Store, cache: (env: Env) => Cache) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("store", store(c.env));
    c.set("cache", cache(c.env));
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

describe("requireUser while the Store does not answer", () => {
  it("signs in a read, a state change and an upgrade from the token and the Cache alone, asking the Store nothing", async () => {
    const ann = await signUp();
    const { store, calls } = unreachableStore();
    const app = appWith(() => store, cacheFor);
    const read = await app.request("/read", { headers: { Cookie: ann.cookie } }, env);
    expect(read.status).toBe(200);
    const write = await app.request("/write", { method: "POST", headers: { Cookie: ann.cookie } }, env);
    expect(write.status).toBe(200);
    const upgrade = await app.request("/ws", { headers: { Cookie: ann.cookie, Upgrade: "websocket" } }, env);
    expect(upgrade.status).toBe(200);
    expect(calls).toEqual([]);
  });

  it("answers 401 account_ended to every session of a deleted account", async () => {
    const ann = await signUp();
    const otherDevice = await login(ann);
    expect((await api("/api/me", { method: "DELETE", cookie: ann.cookie })).status).toBe(204);
    const { store, calls } = unreachableStore();
    const app = appWith(() => store, cacheFor);
    for (const cookie of [ann.cookie, otherDevice.cookie]) {
      const read = await app.request("/read", { headers: { Cookie: cookie } }, env);
      expect(read.status).toBe(401);
      expect(await read.json()).toMatchObject({ error: { code: "account_ended" } });
    }
    expect(calls).toEqual([]);
  });

  it("refuses a validly signed token that does not carry the user's name (made before it did)", async () => {
    const ann = await signUp();
    const token = await signSession(
      {
        userId: ann.user.id,
        username: "",
        createdAt: 0,
        sessionId: crypto.randomUUID(),
        expiresAt: Date.now() + 60_000,
      },
      env.SESSION_SECRET,
    );
    const read = await appWith(storeFor, cacheFor).request(
      "/read",
      { headers: { Cookie: `__Host-session=${token}` } },
      env,
    );
    expect(read.status).toBe(401);
    expect(await read.json()).toMatchObject({ error: { code: "session_expired" } });
  });
});
