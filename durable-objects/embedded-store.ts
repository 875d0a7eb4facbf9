import { DurableObject } from "cloudflare:workers";
import { SqliteStore } from "../server/adapters/sqlite-store";
import type { Store, UserRecord } from "../server/ports/store";

/**
 * Hosts the embedded Store: one object holds the whole local database, so `npm run dev`
 * needs no external service. Each method is the Store's, reached over RPC.
 */
export class EmbeddedStore extends DurableObject<Env> implements Store {
  private readonly store: SqliteStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new SqliteStore(ctx.storage);
  }

  createUser(user: UserRecord) {
    return this.store.createUser(user);
  }
  getUser(id: string) {
    return this.store.getUser(id);
  }
  getUserByUsername(username: string) {
    return this.store.getUserByUsername(username);
  }
  searchUsers(query: string, options: { excludeUserId?: string; limit: number; now: number }) {
    return this.store.searchUsers(query, options);
  }
  addConnection(userId: string, otherId: string, conversationId: string, now: number) {
    return this.store.addConnection(userId, otherId, conversationId, now);
  }
  removeConnection(userId: string, otherId: string) {
    return this.store.removeConnection(userId, otherId);
  }
  listConnections(userId: string) {
    return this.store.listConnections(userId);
  }
  getConversation(id: string) {
    return this.store.getConversation(id);
  }
  canAccessConversation(userId: string, conversationId: string) {
    return this.store.canAccessConversation(userId, conversationId);
  }
  listExpiredUsers(now: number, limit: number) {
    return this.store.listExpiredUsers(now, limit);
  }
  expireUser(userId: string, now: number) {
    return this.store.expireUser(userId, now);
  }
  detachUser(userId: string) {
    return this.store.detachUser(userId);
  }
  deleteUser(userId: string) {
    return this.store.deleteUser(userId);
  }
}
