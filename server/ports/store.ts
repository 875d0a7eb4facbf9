/**
 * The data port: users, connections and conversations. Adapters: the embedded one on
 * Durable Object SQLite (worker/adapters/sqlite-store.ts); MongoDB comes next.
 * Times are milliseconds since the epoch. Expected failures are values, not exceptions.
 */

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  expiresAt: number;
}

export interface ConnectionRecord {
  /** The other person. */
  userId: string;
  username: string;
  conversationId: string;
  createdAt: number;
}

export interface ConversationRecord {
  id: string;
  /** A list, never a pair: group chats come next. */
  members: string[];
  createdAt: number;
}

export type CreateUserResult = { ok: true; user: UserRecord } | { ok: false; reason: "username_taken" };

export interface AddConnectionResult {
  created: boolean;
  connection: ConnectionRecord;
}

/** What a user took part in, so the purge can clear the rooms and tell the hubs involved. */
export interface DetachedUser {
  conversationIds: string[];
  formerConnections: string[];
}

export interface Store {
  createUser(user: UserRecord): Promise<CreateUserResult>;
  getUser(id: string): Promise<UserRecord | null>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<UserRecord | null>;
  /** Ranked: exact, prefix, substring, then near matches; unexpired users only. */
  searchUsers(query: string, options: { excludeUserId?: string; limit: number; now: number }): Promise<UserRecord[]>;

  /** Connects two users (both see it) and opens their conversation. Idempotent. */
  addConnection(userId: string, otherId: string, conversationId: string, now: number): Promise<AddConnectionResult>;
  /** True when a connection existed. Its conversation is kept for the purge to find. */
  removeConnection(userId: string, otherId: string): Promise<boolean>;
  listConnections(userId: string): Promise<ConnectionRecord[]>;

  getConversation(id: string): Promise<ConversationRecord | null>;
  /** A member of the conversation who is still connected to every other member. */
  canAccessConversation(userId: string, conversationId: string): Promise<boolean>;

  /** Users whose account expired at or before `now`, oldest first. */
  listExpiredUsers(now: number, limit: number): Promise<string[]>;
  /** Ends the account now: it can no longer sign in, and the purge will remove it. */
  expireUser(userId: string, now: number): Promise<void>;
  /**
   * First step of removing a user: drops their connections (so nobody sees them any more)
   * and returns every conversation they are in. Safe to repeat.
   */
  detachUser(userId: string): Promise<DetachedUser>;
  /** Last step: removes their conversations and the user record. Safe to repeat. */
  deleteUser(userId: string): Promise<void>;
}
