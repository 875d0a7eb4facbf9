import type { Cache } from "./cache";
import type { Store } from "./store";

/** The one embedded store/cache object; a name, so every Worker isolate reaches the same one. */
const EMBEDDED_INSTANCE = "embedded";

/** The Store for this environment: the embedded adapter until MongoDB is configured. */
export function storeFor(env: Env): Store {
  return env.EMBEDDED_STORE.get(env.EMBEDDED_STORE.idFromName(EMBEDDED_INSTANCE));
}

/** The Cache for this environment: the embedded adapter until Upstash is configured. */
export function cacheFor(env: Env): Cache {
  return env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(EMBEDDED_INSTANCE));
}

export function describePorts(_env: Env): { store: "embedded" | "mongo"; cache: "embedded" | "upstash" } {
  return { store: "embedded", cache: "embedded" };
}

export type { Cache, Store };
