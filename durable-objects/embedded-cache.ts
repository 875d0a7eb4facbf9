import { DurableObject } from "cloudflare:workers";
import { SqliteCache } from "../server/adapters/sqlite-cache";
import { countedStorage } from "../server/counters";
import type { Cache } from "../server/ports/cache";

/** Hosts the embedded Cache, used when no Upstash URL is set. Each method is the Cache's, over RPC. */
export class EmbeddedCache extends DurableObject<Env> implements Cache {
  private readonly cache: SqliteCache;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.cache = new SqliteCache(countedStorage(ctx.storage, "cache", env));
  }

  get(key: string) {
    return this.cache.get(key);
  }
  getMany(keys: string[]) {
    return this.cache.getMany(keys);
  }
  set(key: string, value: string, ttlSeconds: number) {
    return this.cache.set(key, value, ttlSeconds);
  }
  delete(key: string) {
    return this.cache.delete(key);
  }
  hit(key: string, windowSeconds: number) {
    return this.cache.hit(key, windowSeconds);
  }
}
