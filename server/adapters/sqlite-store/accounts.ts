import { trigrams } from "../../fuzzy";
import {
  type AccountStore,
  type Result,
  SEARCH_CANDIDATES_MAX,
  type SearchOptions,
  type UserRecord,
  type UserRef,
} from "../../ports/store";
import { blockedEitherWay } from "./contacts";
import { ok, type RefRow, SqliteArea } from "./shared";

type UserRow = {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  expires_at: number;
};

/** Users, found by id, by name (case-insensitive, through `username_key`) and by trigrams of it. */
export class SqliteAccounts extends SqliteArea implements AccountStore {
  async createUser(user: UserRecord): Promise<Result<UserRecord, "username_taken">> {
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
      return ok(user);
    });
  }

  async getUser(id: string): Promise<Result<UserRecord | null>> {
    const row = this.sql.exec<UserRow>("SELECT * FROM users WHERE id = ?", id).toArray()[0];
    return ok(row ? toUser(row) : null);
  }

  async getUserByUsername(username: string): Promise<Result<UserRecord | null>> {
    const row = this.sql
      .exec<UserRow>("SELECT * FROM users WHERE username_key = ?", username.toLowerCase())
      .toArray()[0];
    return ok(row ? toUser(row) : null);
  }

  async searchCandidates(query: string, options: SearchOptions): Promise<Result<UserRef[]>> {
    const key = query.toLowerCase();
    const exclude = options.excludeUserId ?? "";
    const byPrefix = this.sql
      .exec<RefRow>(
        "SELECT id, username FROM users WHERE username_key >= ? AND username_key < ? AND expires_at > ? AND id != ? ORDER BY username_key LIMIT ?",
        key,
        `${key}\uffff`,
        options.now,
        exclude,
        SEARCH_CANDIDATES_MAX,
      )
      .toArray();
    const grams = trigrams(key);
    const byTrigram = this.sql
      .exec<RefRow>(
        `SELECT u.id, u.username FROM users u JOIN (
           SELECT user_id, COUNT(*) AS shared FROM user_trigrams WHERE trigram IN (${grams.map(() => "?").join(",")})
           GROUP BY user_id ORDER BY shared DESC LIMIT ?
         ) t ON t.user_id = u.id WHERE u.expires_at > ? AND u.id != ?`,
        ...grams,
        SEARCH_CANDIDATES_MAX,
        options.now,
        exclude,
      )
      .toArray();
    const hidden = blockedEitherWay(this.sql, exclude);
    const candidates = new Map<string, UserRef>();
    for (const row of [...byPrefix, ...byTrigram]) {
      if (!hidden.has(row.id)) candidates.set(row.id, { id: row.id, username: row.username });
    }
    return ok([...candidates.values()].slice(0, SEARCH_CANDIDATES_MAX));
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
