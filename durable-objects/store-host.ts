import { DurableObject } from "cloudflare:workers";
import type { MongoClient } from "mongodb";
import { createMongoClient, mongoStore } from "../server/adapters/mongo-store";
import { sqliteStore } from "../server/adapters/sqlite-store";
import { countedStorage, countMongoCommands } from "../server/counters";
import type { Store, StoreMethod } from "../server/ports/store";

/**
 * Hosts the Store, reached over RPC. Without MONGODB_URI it holds the embedded database in its
 * own SQLite (one instance), so `npm run dev` needs nothing external. With MONGODB_URI it holds
 * a MongoClient across requests: a Worker cannot keep a TCP connection between requests, and a
 * client in a module global fails on the second request. A fixed pool of these objects bounds
 * the connections the cluster sees (server/ports/index.ts picks one).
 */
export class StoreHost extends DurableObject<Env> {
  private adapter: Store | undefined;
  private client: MongoClient | undefined;

  /**
   * One Store call, by name: one RPC per call, and no method here per Store method, so a new one
   * needs only its port and adapters. server/ports/index.ts gives callers the typed Store.
   */
  call<M extends StoreMethod>(method: M, args: Parameters<Store[M]>): ReturnType<Store[M]> {
    const store = this.store;
    const target: unknown = store[method];
    // Only Store calls: nothing that every object has (`constructor`, `toString`, ...).
    if (typeof target !== "function" || method in Object.prototype) {
      throw new TypeError(`${String(method)} is not a Store call`);
    }
    return (target as (...args: Parameters<Store[M]>) => ReturnType<Store[M]>).apply(store, args);
  }

  private get store(): Store {
    if (this.adapter) return this.adapter;
    if (this.env.MONGODB_URI) {
      this.client = createMongoClient(this.env.MONGODB_URI);
      countMongoCommands(this.client, this.env);
      // The database is the URI's path (the driver's default without one), as for `npm run migrate`.
      this.adapter = mongoStore(this.client.db());
    } else {
      this.adapter = sqliteStore(countedStorage(this.ctx.storage, "store", this.env));
    }
    return this.adapter;
  }
}
