import { rankByName, trigrams } from "../fuzzy";
import type {
  AddConnectionResult,
  ConnectionRecord,
  ConversationRecord,
  CreateUserResult,
  DetachedUser,
  Store,
  UserRecord,
} from "../ports/store";

/** How many trigram candidates a search ranks at most. */
const SEARCH_CANDIDATES = 200;

type UserRow = {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  expires_at: number;
};

/** The embedded Store on a Durable Object's SQLite, used when no MONGODB_URI is set. */
export class SqliteStore implements Store {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    migrate(this.sql);
  }

  async createUser(user: UserRecord): Promise<CreateUserResult> {
    const key = user.username.toLowerCase();
    return this.storage.transactionSync(() => {
      const taken = this.sql.exec("SELECT 1 FROM users WHERE username_key = ?", key).toArray().length > 0;
      if (taken) return { ok: false, reason: "username_taken" } as const;
      this.sql.exec(
        "INSERT INTO users (id, username, username_key, password_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        user.id,
        user.username,
        key,
        user.passwordHash,
        user.createdAt,
        user.expiresAt,
      );
      for (const gram of trigrams(key)) {
        this.sql.exec("INSERT OR IGNORE INTO user_trigrams (trigram, user_id) VALUES (?, ?)", gram, user.id);
      }
      return { ok: true, user } as const;
    });
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const row = this.sql.exec<UserRow>("SELECT * FROM users WHERE id = ?", id).toArray()[0];
    return row ? toUser(row) : null;
  }

  async getUserByUsername(username: string): Promise<UserRecord | null> {
    const row = this.sql
      .exec<UserRow>("SELECT * FROM users WHERE username_key = ?", username.toLowerCase())
      .toArray()[0];
    return row ? toUser(row) : null;
  }

  async searchUsers(
    query: string,
    options: { excludeUserId?: string; limit: number; now: number },
  ): Promise<UserRecord[]> {
    const key = query.toLowerCase();
    const byPrefix = this.sql
      .exec<UserRow>(
        "SELECT * FROM users WHERE username_key >= ? AND username_key < ? AND expires_at > ? ORDER BY username_key LIMIT ?",
        key,
        `${key}\uffff`,
        options.now,
        SEARCH_CANDIDATES,
      )
      .toArray();
    const grams = trigrams(key);
    const byTrigram = this.sql
      .exec<UserRow>(
        `SELECT u.* FROM users u JOIN (
           SELECT user_id, COUNT(*) AS shared FROM user_trigrams WHERE trigram IN (${grams.map(() => "?").join(",")})
           GROUP BY user_id ORDER BY shared DESC LIMIT ?
         ) t ON t.user_id = u.id WHERE u.expires_at > ?`,
        ...grams,
        SEARCH_CANDIDATES,
        options.now,
      )
      .toArray();
    const candidates = new Map<string, UserRow>();
    for (const row of [...byPrefix, ...byTrigram]) {
      if (row.id !== options.excludeUserId) candidates.set(row.id, row);
    }
    return rankByName(key, [...candidates.values()], (row) => row.username.toLowerCase())
      .slice(0, options.limit)
      .map(toUser);
  }

  async addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
  ): Promise<AddConnectionResult> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      const existing = this.sql
        .exec<{ created_at: number }>(
          "SELECT created_at FROM connections WHERE user_low = ? AND user_high = ?",
          low,
          high,
        )
        .toArray()[0];
      if (!existing) {
        this.sql.exec(
          "INSERT INTO connections (user_low, user_high, conversation_id, created_at) VALUES (?, ?, ?, ?)",
          low,
          high,
          conversationId,
          now,
        );
        this.sql.exec("INSERT OR IGNORE INTO conversations (id, created_at) VALUES (?, ?)", conversationId, now);
        for (const member of [low, high]) {
          this.sql.exec(
            "INSERT OR IGNORE INTO conversation_members (conversation_id, user_id) VALUES (?, ?)",
            conversationId,
            member,
          );
        }
      }
      const other = this.sql.exec<{ username: string }>("SELECT username FROM users WHERE id = ?", otherId).one();
      const connection: ConnectionRecord = {
        userId: otherId,
        username: other.username,
        conversationId,
        createdAt: existing?.created_at ?? now,
      };
      return { created: !existing, connection };
    });
  }

  async removeConnection(userId: string, otherId: string): Promise<boolean> {
    const [low, high] = [userId, otherId].sort();
    const removed = this.sql
      .exec("DELETE FROM connections WHERE user_low = ? AND user_high = ? RETURNING 1", low, high)
      .toArray();
    return removed.length > 0;
  }

  async listConnections(userId: string): Promise<ConnectionRecord[]> {
    return this.sql
      .exec<{ user_id: string; username: string; conversation_id: string; created_at: number }>(
        `SELECT u.id AS user_id, u.username, c.conversation_id, c.created_at FROM connections c
         JOIN users u ON u.id = CASE WHEN c.user_low = ? THEN c.user_high ELSE c.user_low END
         WHERE c.user_low = ? OR c.user_high = ? ORDER BY c.created_at DESC`,
        userId,
        userId,
        userId,
      )
      .toArray()
      .map((row) => ({
        userId: row.user_id,
        username: row.username,
        conversationId: row.conversation_id,
        createdAt: row.created_at,
      }));
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    const conversation = this.sql
      .exec<{ created_at: number }>("SELECT created_at FROM conversations WHERE id = ?", id)
      .toArray()[0];
    if (!conversation) return null;
    const members = this.sql
      .exec<{ user_id: string }>(
        "SELECT user_id FROM conversation_members WHERE conversation_id = ? ORDER BY user_id",
        id,
      )
      .toArray()
      .map((row) => row.user_id);
    return { id, members, createdAt: conversation.created_at };
  }

  async canAccessConversation(userId: string, conversationId: string): Promise<boolean> {
    const conversation = await this.getConversation(conversationId);
    if (!conversation?.members.includes(userId)) return false;
    return conversation.members.every((member) => member === userId || this.connected(userId, member));
  }

  async listExpiredUsers(now: number, limit: number): Promise<string[]> {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM users WHERE expires_at <= ? ORDER BY expires_at LIMIT ?", now, limit)
      .toArray()
      .map((row) => row.id);
  }

  async expireUser(userId: string, now: number): Promise<void> {
    this.sql.exec("UPDATE users SET expires_at = MIN(expires_at, ?) WHERE id = ?", now, userId);
  }

  async detachUser(userId: string): Promise<DetachedUser> {
    return this.storage.transactionSync(() => {
      const formerConnections = this.sql
        .exec<{ other: string }>(
          "DELETE FROM connections WHERE user_low = ? OR user_high = ? RETURNING CASE WHEN user_low = ? THEN user_high ELSE user_low END AS other",
          userId,
          userId,
          userId,
        )
        .toArray()
        .map((row) => row.other);
      return { conversationIds: this.conversationIdsOf(userId), formerConnections };
    });
  }

  async deleteUser(userId: string): Promise<void> {
    this.storage.transactionSync(() => {
      for (const id of this.conversationIdsOf(userId)) {
        this.sql.exec("DELETE FROM conversation_members WHERE conversation_id = ?", id);
        this.sql.exec("DELETE FROM conversations WHERE id = ?", id);
      }
      this.sql.exec("DELETE FROM connections WHERE user_low = ? OR user_high = ?", userId, userId);
      this.sql.exec("DELETE FROM user_trigrams WHERE user_id = ?", userId);
      this.sql.exec("DELETE FROM users WHERE id = ?", userId);
    });
  }

  private conversationIdsOf(userId: string): string[] {
    return this.sql
      .exec<{ conversation_id: string }>("SELECT conversation_id FROM conversation_members WHERE user_id = ?", userId)
      .toArray()
      .map((row) => row.conversation_id);
  }

  private connected(userId: string, otherId: string): boolean {
    const [low, high] = [userId, otherId].sort();
    return (
      this.sql.exec("SELECT 1 FROM connections WHERE user_low = ? AND user_high = ?", low, high).toArray().length > 0
    );
  }
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

function migrate(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL,
      username_key TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS users_expires_at ON users (expires_at);
    CREATE TABLE IF NOT EXISTS user_trigrams (
      trigram TEXT NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (trigram, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS user_trigrams_user ON user_trigrams (user_id);
    CREATE TABLE IF NOT EXISTS connections (
      user_low TEXT NOT NULL,
      user_high TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (user_low, user_high)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS connections_high ON connections (user_high);
    CREATE TABLE IF NOT EXISTS conversations (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS conversation_members (
      conversation_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (conversation_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS conversation_members_user ON conversation_members (user_id);
  `);
}
