import { DurableObject } from "cloudflare:workers";
import type { MongoClient } from "mongodb";
import { createMongoClient, MongoStore } from "../server/adapters/mongo-store";
import { SqliteStore } from "../server/adapters/sqlite-store";
import { countedStorage, countMongoCommands } from "../server/counters";
import type {
  ArchivedMessage,
  GroupRecord,
  InviteRecord,
  SearchOptions,
  Store,
  UserRecord,
} from "../server/ports/store";

/**
 * Hosts the Store, reached over RPC. Without MONGODB_URI it holds the embedded database in its
 * own SQLite (one instance), so `npm run dev` needs nothing external. With MONGODB_URI it holds
 * a MongoClient across requests: a Worker cannot keep a TCP connection between requests, and a
 * client in a module global fails on the second request. A fixed pool of these objects bounds
 * the connections the cluster sees (server/ports/index.ts picks one).
 */
export class StoreHost extends DurableObject<Env> implements Store {
  private adapter: Store | undefined;
  private client: MongoClient | undefined;

  private get store(): Store {
    if (this.adapter) return this.adapter;
    if (this.env.MONGODB_URI) {
      this.client = createMongoClient(this.env.MONGODB_URI);
      countMongoCommands(this.client, this.env);
      // The database is the URI's path (the driver's default without one), as for `npm run migrate`.
      this.adapter = new MongoStore(this.client.db());
    } else {
      this.adapter = new SqliteStore(countedStorage(this.ctx.storage, "store", this.env));
    }
    return this.adapter;
  }

  ping() {
    return this.store.ping();
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
  searchCandidates(query: string, options: SearchOptions) {
    return this.store.searchCandidates(query, options);
  }
  addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
    options?: { accepted?: boolean },
  ) {
    return this.store.addConnection(userId, otherId, conversationId, now, options);
  }
  acceptConnection(userId: string, otherId: string) {
    return this.store.acceptConnection(userId, otherId);
  }
  block(userId: string, otherId: string, now: number) {
    return this.store.block(userId, otherId, now);
  }
  unblock(userId: string, otherId: string) {
    return this.store.unblock(userId, otherId);
  }
  listBlocked(userId: string) {
    return this.store.listBlocked(userId);
  }
  createInvite(invite: InviteRecord) {
    return this.store.createInvite(invite);
  }
  findInvite(tokenHash: string, now: number) {
    return this.store.findInvite(tokenHash, now);
  }
  takeInvite(tokenHash: string, now: number) {
    return this.store.takeInvite(tokenHash, now);
  }
  removeConnection(userId: string, otherId: string) {
    return this.store.removeConnection(userId, otherId);
  }
  listConnections(userId: string) {
    return this.store.listConnections(userId);
  }
  openConversation(userId: string, conversationId: string) {
    return this.store.openConversation(userId, conversationId);
  }
  archiveMessages(batch: ArchivedMessage[]) {
    return this.store.archiveMessages(batch);
  }
  messagesBefore(conversationId: string, beforeSeq: number, limit: number) {
    return this.store.messagesBefore(conversationId, beforeSeq, limit);
  }
  deleteConversationMessages(conversationId: string) {
    return this.store.deleteConversationMessages(conversationId);
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
  detachUsers(userIds: string[]) {
    return this.store.detachUsers(userIds);
  }
  deleteUsers(userIds: string[]) {
    return this.store.deleteUsers(userIds);
  }
  createGroup(group: Omit<GroupRecord, "version">) {
    return this.store.createGroup(group);
  }
  getGroup(groupId: string) {
    return this.store.getGroup(groupId);
  }
  listGroups(userId: string) {
    return this.store.listGroups(userId);
  }
  saveGroup(group: GroupRecord) {
    return this.store.saveGroup(group);
  }
  deleteGroup(groupId: string) {
    return this.store.deleteGroup(groupId);
  }
}
