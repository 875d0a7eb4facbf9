import { FallbackCache } from "../adapters/fallback-cache";
import { UpstashCache } from "../adapters/upstash-cache";
import { countedStub } from "../counters";
import { EndedSessions } from "../ended-sessions";
import { Outage } from "../outage";
import { withBreaker } from "../store-breaker";
import type { Cache } from "./cache";
import type { Store, StoreMethod } from "./store";

/** The one embedded store/cache object; a name, so every Worker isolate reaches the same one. */
const EMBEDDED_INSTANCE = "embedded";

/** A few hundred ms: far above Upstash's usual latency from the edge, far below a user's patience. */
const UPSTASH_TIMEOUT_MS = 300;
/** After a failure, requests skip Upstash this long instead of each waiting for a timeout. */
const UPSTASH_RETRY_AFTER_MS = 5_000;
/**
 * After MongoDB answered `unavailable`, Store calls skip it this long (each would wait for server
 * selection, 2.5 s); the Store's callers then answer 503 or take their fallback at once.
 */
const MONGO_RETRY_AFTER_MS = 5_000;
/** An outage is logged at most once a minute per isolate. */
const OUTAGE_LOG_INTERVAL_MS = 60_000;
/** Keys are `<prefix>:<key>`; set UPSTASH_KEY_PREFIX when deployments share a database. */
const DEFAULT_KEY_PREFIX = "edge-chat";

/** Store hosts, each holding one MongoClient, when MONGODB_HOSTS does not say otherwise. */
export const DEFAULT_MONGODB_HOSTS = 4;

/**
 * The Store for this environment: with MONGODB_URI, one of a fixed pool of hosts that each keep
 * a MongoClient (picked by `key`, such as a user or conversation id, or at random), so the cluster
 * sees a bounded number of connections, behind this isolate's breaker for MongoDB; without it,
 * the one embedded host (which is never unavailable).
 */
export function storeFor(env: Env, key?: string): Store {
  if (!env.MONGODB_URI) return storeAt(env, EMBEDDED_INSTANCE);
  return withBreaker(storeAt(env, `mongo-${mongoHostIndex(env, key)}`), mongoOutageFor(env.MONGODB_URI));
}

/** The Store host of this name, without a breaker: storeFor's, or a test's own database. */
export function storeAt(env: Env, name: string): Store {
  return storeOverRpc(countedStub(env.STORE_HOSTS.get(env.STORE_HOSTS.idFromName(name)), "store", env));
}

/** What StoreHost answers: one Store call by name (durable-objects/store-host.ts). */
interface StoreCalls {
  call(method: StoreMethod, args: unknown[]): Promise<unknown>;
}

/** The typed Store over a host's one generic call: `store.getUser(id)` is `host.call("getUser", [id])`. */
function storeOverRpc(host: StoreCalls): Store {
  return new Proxy({} as Store, {
    get: (_, key) => {
      // `then` and symbols are how promises and runtimes probe an object, not Store calls.
      if (typeof key === "symbol" || key === "then") return undefined;
      return (...args: unknown[]) => host.call(key as StoreMethod, args);
    },
  });
}

/**
 * One breaker per MongoDB deployment and isolate, kept across requests (as Upstash's outage
 * record below): every host reaches the same cluster, so one host's failure stands for all.
 */
const mongoOutageByUri = new Map<string, Outage>();

function mongoOutageFor(uri: string): Outage {
  let outage = mongoOutageByUri.get(uri);
  if (!outage) {
    outage = new Outage("MongoDB", {
      retryAfterMs: MONGO_RETRY_AFTER_MS,
      logIntervalMs: OUTAGE_LOG_INTERVAL_MS,
      meanwhile: "Store calls answer unavailable at once: changes answer 503, reads and sockets go on from the rooms",
    });
    mongoOutageByUri.set(uri, outage);
  }
  return outage;
}

function mongoHostIndex(env: Env, key: string | undefined): number {
  const hosts = mongoHostCount(env);
  return key === undefined ? Math.floor(Math.random() * hosts) : hashOf(key) % hosts;
}

export function mongoHostCount(env: Env): number {
  const configured = Number.parseInt(env.MONGODB_HOSTS ?? "", 10);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MONGODB_HOSTS;
}

/** FNV-1a: a stable spread of keys over the hosts. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The Cache for this environment: Upstash (with the embedded cache as its fallback) when
 * UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are set, else the embedded one.
 */
export function cacheFor(env: Env): Cache {
  const embedded = embeddedCacheFor(env);
  const upstash = upstashFor(env);
  return upstash ? new FallbackCache(upstash.cache, embedded, upstash.outage) : embedded;
}

/** The one embedded cache object: the Cache without Upstash, and its fallback with it. */
export function embeddedCacheFor(env: Env): Cache {
  return countedStub(env.EMBEDDED_CACHE.get(env.EMBEDDED_CACHE.idFromName(EMBEDDED_INSTANCE)), "cache", env);
}

/** Ended sessions in the Cache, with the embedded cache as their backup when the Cache is Upstash. */
export function endedSessionsFor(env: Env, cache: Cache = cacheFor(env)): EndedSessions {
  return new EndedSessions(cache, upstashConfig(env) ? embeddedCacheFor(env) : null);
}

export function describePorts(env: Env): { store: "embedded" | "mongo"; cache: "embedded" | "upstash" } {
  return { store: env.MONGODB_URI ? "mongo" : "embedded", cache: upstashConfig(env) ? "upstash" : "embedded" };
}

interface UpstashConfig {
  url: string;
  token: string;
  prefix: string;
}

function upstashConfig(env: Env): UpstashConfig | null {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = env;
  if (!url || !token) return null;
  // Typed as strings, but absent at runtime when not configured.
  const prefix = env.UPSTASH_KEY_PREFIX || DEFAULT_KEY_PREFIX;
  return { url: url.trim(), token: token.trim(), prefix };
}

/**
 * One client and one outage record per isolate, kept across requests: the client holds no I/O
 * object (each call is its own fetch), and the outage record must outlive a request to help.
 */
const upstashByConfig = new Map<string, { cache: UpstashCache; outage: Outage }>();

function upstashFor(env: Env): { cache: UpstashCache; outage: Outage } | null {
  const config = upstashConfig(env);
  if (!config) return null;
  const id = JSON.stringify(config);
  let entry = upstashByConfig.get(id);
  if (!entry) {
    entry = {
      cache: new UpstashCache({ ...config, timeoutMs: UPSTASH_TIMEOUT_MS }),
      outage: new Outage("Upstash", {
        retryAfterMs: UPSTASH_RETRY_AFTER_MS,
        logIntervalMs: OUTAGE_LOG_INTERVAL_MS,
        meanwhile:
          "rate limits use the embedded cache, presence reads answer offline, ended-session checks use the embedded cache",
      }),
    };
    upstashByConfig.set(id, entry);
  }
  return entry;
}

export type { Cache, Store };
