import { GROUP_LIMITS } from "../../protocol/api";
import { trigrams } from "../fuzzy";
import { openedGroup } from "../group-rules";
import {
  type AddConnectionResult,
  ARCHIVE_BATCH_MAX,
  type ArchivedMessage,
  BLOCKS_MAX,
  CONNECTIONS_MAX,
  CONVERSATIONS_MAX,
  type ConnectionRecord,
  type DetachedUser,
  type DetachedUserOf,
  GROUPS_MAX,
  type GroupMemberRecord,
  type GroupRecord,
  type InviteRecord,
  type OpenedConversation,
  type Result,
  SEARCH_CANDIDATES_MAX,
  type SearchOptions,
  type Store,
  USER_BATCH_MAX,
  type UserRecord,
  type UserRef,
} from "../ports/store";

type UserRow = {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  expires_at: number;
};

/** A type, not an interface: SqlStorage rows need an index signature. */
type RefRow = { id: string; username: string };

type MessageRow = {
  conversation_id: string;
  seq: number;
  id: string;
  sender_id: string;
  body: string;
  sent_at: number;
  deleted: number;
};

const ok = <T>(value: T) => ({ ok: true, value }) as const;

/**
 * The embedded Store on a Durable Object's SQLite, used when no MONGODB_URI is set. Local: it
 * is never unavailable, and each method is one synchronous transaction.
 */
export class SqliteStore implements Store {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    migrate(this.sql);
  }

  async ping(): Promise<Result<null>> {
    return ok(null);
  }

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
    const hidden = this.blockedEitherWay(exclude);
    const candidates = new Map<string, UserRef>();
    for (const row of [...byPrefix, ...byTrigram]) {
      if (!hidden.has(row.id)) candidates.set(row.id, { id: row.id, username: row.username });
    }
    return ok([...candidates.values()].slice(0, SEARCH_CANDIDATES_MAX));
  }

  async addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
    options: { accepted?: boolean } = {},
  ): Promise<Result<AddConnectionResult, "unknown_user" | "blocked">> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      const other = this.sql
        .exec<{ username: string }>("SELECT username FROM users WHERE id = ?", otherId)
        .toArray()[0];
      if (!other) return { ok: false, reason: "unknown_user" } as const;
      if (this.blockedEitherWay(userId).has(otherId)) return { ok: false, reason: "blocked" } as const;
      const existing = this.connectionRow(low, high);
      if (!existing) {
        const status = options.accepted ? "accepted" : "pending";
        this.sql.exec(
          "INSERT INTO connections (user_low, user_high, conversation_id, created_at, status, requested_by) VALUES (?, ?, ?, ?, ?, ?)",
          low,
          high,
          conversationId,
          now,
          status,
          userId,
        );
        this.sql.exec(
          `INSERT INTO conversations (id, created_at, closed, pending_from) VALUES (?, ?, 0, ?)
           ON CONFLICT (id) DO UPDATE SET closed = 0, pending_from = excluded.pending_from`,
          conversationId,
          now,
          status === "pending" ? userId : null,
        );
        for (const member of [low, high]) {
          this.sql.exec(
            "INSERT OR IGNORE INTO conversation_members (conversation_id, user_id) VALUES (?, ?)",
            conversationId,
            member,
          );
        }
      } else if (existing.status === "pending" && (existing.requested_by === otherId || options.accepted)) {
        // They had asked already, or this is an invite: the request is answered.
        this.accept(low, high, existing.conversation_id);
      }
      const row = this.connectionRow(low, high)!;
      return ok({ created: !existing, connection: toConnection(otherId, other.username, row) });
    });
  }

  async acceptConnection(userId: string, otherId: string): Promise<Result<ConnectionRecord, "not_found">> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      const existing = this.connectionRow(low, high);
      const other = this.sql
        .exec<{ username: string }>("SELECT username FROM users WHERE id = ?", otherId)
        .toArray()[0];
      if (!existing || !other || existing.requested_by !== otherId) return { ok: false, reason: "not_found" } as const;
      if (existing.status === "pending") this.accept(low, high, existing.conversation_id);
      return ok(toConnection(otherId, other.username, this.connectionRow(low, high)!));
    });
  }

  async removeConnection(userId: string, otherId: string): Promise<Result<boolean>> {
    const [low, high] = [userId, otherId].sort();
    return this.storage.transactionSync(() => {
      const removed = this.sql
        .exec<{ conversation_id: string }>(
          "DELETE FROM connections WHERE user_low = ? AND user_high = ? RETURNING conversation_id",
          low,
          high,
        )
        .toArray();
      for (const row of removed) this.sql.exec("UPDATE conversations SET closed = 1 WHERE id = ?", row.conversation_id);
      return ok(removed.length > 0);
    });
  }

  async block(userId: string, otherId: string, now: number): Promise<Result<{ closedConversationId: string | null }>> {
    const [low, high] = [userId, otherId].sort() as [string, string];
    return this.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT OR IGNORE INTO blocks (blocker, blocked, created_at) VALUES (?, ?, ?)",
        userId,
        otherId,
        now,
      );
      const removed = this.sql
        .exec<{ conversation_id: string }>(
          "DELETE FROM connections WHERE user_low = ? AND user_high = ? RETURNING conversation_id",
          low,
          high,
        )
        .toArray()[0];
      if (removed) this.sql.exec("UPDATE conversations SET closed = 1 WHERE id = ?", removed.conversation_id);
      return ok({ closedConversationId: removed?.conversation_id ?? null });
    });
  }

  async unblock(userId: string, otherId: string): Promise<Result<null>> {
    this.sql.exec("DELETE FROM blocks WHERE blocker = ? AND blocked = ?", userId, otherId);
    return ok(null);
  }

  async listBlocked(userId: string): Promise<Result<UserRef[]>> {
    const rows = this.sql
      .exec<RefRow>(
        `SELECT u.id, u.username FROM blocks b JOIN users u ON u.id = b.blocked
         WHERE b.blocker = ? ORDER BY b.created_at DESC LIMIT ?`,
        userId,
        BLOCKS_MAX,
      )
      .toArray();
    return ok(rows.map((row) => ({ id: row.id, username: row.username })));
  }

  async createInvite(invite: InviteRecord): Promise<Result<null>> {
    this.sql.exec(
      "INSERT OR REPLACE INTO invites (token_hash, inviter_id, expires_at) VALUES (?, ?, ?)",
      invite.tokenHash,
      invite.inviterId,
      invite.expiresAt,
    );
    return ok(null);
  }

  async findInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    const row = this.sql
      .exec<InviteRow>("SELECT * FROM invites WHERE token_hash = ? AND expires_at > ?", tokenHash, now)
      .toArray()[0];
    return ok(row ? toInvite(row) : null);
  }

  async takeInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    const row = this.sql
      .exec<InviteRow>("DELETE FROM invites WHERE token_hash = ? RETURNING *", tokenHash)
      .toArray()[0];
    return ok(row && row.expires_at > now ? toInvite(row) : null);
  }

  async listConnections(userId: string): Promise<Result<ConnectionRecord[]>> {
    const rows = this.sql
      .exec<{ user_id: string; username: string } & ConnectionRow>(
        `SELECT u.id AS user_id, u.username, c.conversation_id, c.created_at, c.status, c.requested_by FROM connections c
         JOIN users u ON u.id = CASE WHEN c.user_low = ? THEN c.user_high ELSE c.user_low END
         WHERE c.user_low = ? OR c.user_high = ? ORDER BY c.created_at DESC LIMIT ?`,
        userId,
        userId,
        userId,
        CONNECTIONS_MAX,
      )
      .toArray();
    return ok(rows.map((row) => toConnection(row.user_id, row.username, row)));
  }

  async openConversation(
    userId: string,
    conversationId: string,
  ): Promise<Result<OpenedConversation, "not_found" | "forbidden">> {
    const conversation = this.sql
      .exec<{ created_at: number; closed: number; pending_from: string | null; group_name: string | null }>(
        "SELECT created_at, closed, pending_from, group_name FROM conversations WHERE id = ?",
        conversationId,
      )
      .toArray()[0];
    if (!conversation) return { ok: false, reason: "not_found" };
    if (conversation.group_name !== null) return this.openGroup(userId, conversationId);
    const members = this.sql
      .exec<RefRow>(
        `SELECT m.user_id AS id, COALESCE(u.username, '') AS username FROM conversation_members m
         LEFT JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ? ORDER BY m.user_id LIMIT ?`,
        conversationId,
        CONVERSATIONS_MAX,
      )
      .toArray()
      .map((row) => ({ id: row.id, username: row.username }));
    if (conversation.closed || !members.some((member) => member.id === userId))
      return { ok: false, reason: "forbidden" };
    return ok({
      id: conversationId,
      members,
      createdAt: conversation.created_at,
      pendingFrom: conversation.pending_from ?? null,
    });
  }

  async archiveMessages(batch: ArchivedMessage[]): Promise<Result<{ inserted: number }>> {
    return this.storage.transactionSync(() => {
      let inserted = 0;
      for (const message of batch.slice(0, ARCHIVE_BATCH_MAX)) {
        const added = this.sql
          .exec(
            "INSERT OR IGNORE INTO archived_messages (conversation_id, seq, id, sender_id, body, sent_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING 1",
            message.conversationId,
            message.seq,
            message.id,
            message.senderId,
            message.deleted ? "" : message.body,
            message.sentAt,
            message.deleted ? 1 : 0,
          )
          .toArray().length;
        inserted += added;
        // A deletion empties the copy archived before it.
        if (!added && message.deleted) {
          this.sql.exec(
            "UPDATE archived_messages SET body = '', deleted = 1 WHERE conversation_id = ? AND seq = ?",
            message.conversationId,
            message.seq,
          );
        }
      }
      return ok({ inserted });
    });
  }

  async messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Result<ArchivedMessage[]>> {
    const rows = this.sql
      .exec<MessageRow>(
        "SELECT * FROM archived_messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        conversationId,
        beforeSeq,
        Math.min(limit, ARCHIVE_BATCH_MAX),
      )
      .toArray();
    return ok(rows.reverse().map(toArchived));
  }

  async deleteConversationMessages(conversationId: string): Promise<Result<null>> {
    this.sql.exec("DELETE FROM archived_messages WHERE conversation_id = ?", conversationId);
    return ok(null);
  }

  async listExpiredUsers(now: number, limit: number): Promise<Result<string[]>> {
    const rows = this.sql
      .exec<{ id: string }>("SELECT id FROM users WHERE expires_at <= ? ORDER BY expires_at LIMIT ?", now, limit)
      .toArray();
    return ok(rows.map((row) => row.id));
  }

  async expireUser(userId: string, now: number): Promise<Result<null>> {
    this.sql.exec("UPDATE users SET expires_at = MIN(expires_at, ?) WHERE id = ?", now, userId);
    return ok(null);
  }

  async detachUser(userId: string): Promise<Result<DetachedUser>> {
    return this.storage.transactionSync(() => {
      this.sql.exec(
        "UPDATE conversations SET closed = 1 WHERE group_name IS NULL AND id IN (SELECT conversation_id FROM conversation_members WHERE user_id = ?)",
        userId,
      );
      const formerConnections = this.sql
        .exec<{ other: string }>(
          "DELETE FROM connections WHERE user_low = ? OR user_high = ? RETURNING CASE WHEN user_low = ? THEN user_high ELSE user_low END AS other",
          userId,
          userId,
          userId,
        )
        .toArray()
        .map((row) => row.other);
      return ok({
        conversationIds: this.conversationIdsOf(userId),
        formerConnections,
        groupIds: this.groupIdsOf(userId),
      });
    });
  }

  async deleteUser(userId: string): Promise<Result<null>> {
    this.storage.transactionSync(() => {
      for (let ids = this.groupIdsOf(userId); ids.length > 0; ids = this.groupIdsOf(userId)) {
        for (const id of ids) this.leaveGroup(id, userId);
      }
      for (let ids = this.conversationIdsOf(userId); ids.length > 0; ids = this.conversationIdsOf(userId)) {
        for (const id of ids) {
          this.sql.exec("DELETE FROM archived_messages WHERE conversation_id = ?", id);
          this.sql.exec("DELETE FROM conversation_members WHERE conversation_id = ?", id);
          this.sql.exec("DELETE FROM conversations WHERE id = ?", id);
        }
      }
      this.sql.exec("DELETE FROM connections WHERE user_low = ? OR user_high = ?", userId, userId);
      this.sql.exec("DELETE FROM blocks WHERE blocker = ? OR blocked = ?", userId, userId);
      this.sql.exec("DELETE FROM invites WHERE inviter_id = ?", userId);
      this.sql.exec("DELETE FROM user_trigrams WHERE user_id = ?", userId);
      this.sql.exec("DELETE FROM users WHERE id = ?", userId);
    });
    return ok(null);
  }

  private connectionRow(low: string, high: string): ConnectionRow | undefined {
    return this.sql
      .exec<ConnectionRow>(
        "SELECT conversation_id, created_at, status, requested_by FROM connections WHERE user_low = ? AND user_high = ?",
        low,
        high,
      )
      .toArray()[0];
  }

  private accept(low: string, high: string, conversationId: string): void {
    this.sql.exec("UPDATE connections SET status = 'accepted' WHERE user_low = ? AND user_high = ?", low, high);
    this.sql.exec("UPDATE conversations SET pending_from = NULL WHERE id = ?", conversationId);
  }

  /** Everyone `userId` blocked or was blocked by. */
  private blockedEitherWay(userId: string): Set<string> {
    const rows = this.sql
      .exec<{ other: string }>(
        `SELECT blocked AS other FROM blocks WHERE blocker = ?1
         UNION SELECT blocker AS other FROM blocks WHERE blocked = ?1 LIMIT ?2`,
        userId,
        2 * BLOCKS_MAX,
      )
      .toArray();
    return new Set(rows.map((row) => row.other));
  }

  async detachUsers(userIds: string[]): Promise<Result<DetachedUserOf[]>> {
    const detached: DetachedUserOf[] = [];
    // Local and synchronous: one user at a time costs no round trips here.
    for (const userId of userIds.slice(0, USER_BATCH_MAX)) {
      const one = await this.detachUser(userId);
      if (one.ok) detached.push({ userId, ...one.value });
    }
    return ok(detached);
  }

  async deleteUsers(userIds: string[]): Promise<Result<null>> {
    for (const userId of userIds.slice(0, USER_BATCH_MAX)) await this.deleteUser(userId);
    return ok(null);
  }

  /** Their one-to-one conversations (a group is not theirs to close or remove). */
  private conversationIdsOf(userId: string): string[] {
    return this.sql
      .exec<{ conversation_id: string }>(
        `SELECT m.conversation_id FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.user_id = ? AND c.group_name IS NULL LIMIT ?`,
        userId,
        CONVERSATIONS_MAX,
      )
      .toArray()
      .map((row) => row.conversation_id);
  }

  /** The groups `userId` is in, newest first. */
  private groupIdsOf(userId: string): string[] {
    return this.sql
      .exec<{ id: string }>(
        `SELECT c.id FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.user_id = ? AND c.group_name IS NOT NULL ORDER BY c.created_at DESC, c.id LIMIT ?`,
        userId,
        GROUPS_MAX,
      )
      .toArray()
      .map((row) => row.id);
  }

  async createGroup(group: Omit<GroupRecord, "version">): Promise<Result<GroupRecord>> {
    return this.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT INTO conversations (id, created_at, closed, pending_from, group_name, created_by, version) VALUES (?, ?, 0, NULL, ?, ?, 1)",
        group.id,
        group.createdAt,
        group.name,
        group.createdBy,
      );
      for (const member of group.members) this.putMember(group.id, member);
      return ok(this.readGroup(group.id)!);
    });
  }

  async getGroup(groupId: string): Promise<Result<GroupRecord | null>> {
    return ok(this.readGroup(groupId));
  }

  async listGroups(userId: string): Promise<Result<GroupRecord[]>> {
    return this.storage.transactionSync(() => ok(this.groupIdsOf(userId).flatMap((id) => this.readGroup(id) ?? [])));
  }

  async saveGroup(group: GroupRecord): Promise<Result<GroupRecord, "conflict" | "not_found">> {
    return this.storage.transactionSync(() => {
      const stored = this.sql
        .exec<{ version: number }>(
          "SELECT version FROM conversations WHERE id = ? AND group_name IS NOT NULL",
          group.id,
        )
        .toArray()[0];
      if (!stored) return { ok: false, reason: "not_found" } as const;
      if (stored.version !== group.version) return { ok: false, reason: "conflict" } as const;
      this.sql.exec(
        "UPDATE conversations SET group_name = ?, version = version + 1 WHERE id = ?",
        group.name,
        group.id,
      );
      const kept = new Set(group.members.map((member) => member.id));
      for (const { user_id } of this.sql
        .exec<{ user_id: string }>("SELECT user_id FROM conversation_members WHERE conversation_id = ?", group.id)
        .toArray()) {
        if (!kept.has(user_id))
          this.sql.exec(
            "DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
            group.id,
            user_id,
          );
      }
      for (const member of group.members) this.putMember(group.id, member);
      return ok(this.readGroup(group.id)!);
    });
  }

  async deleteGroup(groupId: string): Promise<Result<null>> {
    this.storage.transactionSync(() => this.removeGroup(groupId));
    return ok(null);
  }

  /** The group with its members in the order they joined; null when there is no such group. */
  private readGroup(groupId: string): GroupRecord | null {
    const row = this.sql
      .exec<GroupRow>(
        "SELECT id, group_name, created_by, created_at, version FROM conversations WHERE id = ? AND group_name IS NOT NULL",
        groupId,
      )
      .toArray()[0];
    if (!row) return null;
    const members = this.sql
      .exec<MemberRow>(
        `SELECT m.user_id, COALESCE(u.username, '') AS username, m.admin, m.muted, m.joined_at FROM conversation_members m
         LEFT JOIN users u ON u.id = m.user_id WHERE m.conversation_id = ? ORDER BY m.joined_at, m.user_id LIMIT ?`,
        groupId,
        GROUP_LIMITS.membersMax,
      )
      .toArray()
      .map(toGroupMember);
    return {
      id: row.id,
      name: row.group_name,
      createdBy: row.created_by,
      createdAt: row.created_at,
      members,
      version: row.version,
    };
  }

  private openGroup(userId: string, groupId: string): Result<OpenedConversation, "not_found" | "forbidden"> {
    const group = this.readGroup(groupId);
    if (!group) return { ok: false, reason: "not_found" };
    if (!group.members.some((member) => member.id === userId)) return { ok: false, reason: "forbidden" };
    return ok(openedGroup(group));
  }

  private putMember(groupId: string, member: GroupMemberRecord): void {
    this.sql.exec(
      `INSERT INTO conversation_members (conversation_id, user_id, admin, muted, joined_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET admin = excluded.admin, muted = excluded.muted, joined_at = excluded.joined_at`,
      groupId,
      member.id,
      member.admin ? 1 : 0,
      member.muted ? 1 : 0,
      member.joinedAt,
    );
  }

  /** The record, its members and its archive; only a group's (a one-to-one conversation is left alone). */
  private removeGroup(groupId: string): void {
    const kind = this.sql
      .exec<{ group_name: string | null }>("SELECT group_name FROM conversations WHERE id = ?", groupId)
      .toArray()[0];
    if (kind && kind.group_name === null) return;
    this.sql.exec("DELETE FROM archived_messages WHERE conversation_id = ?", groupId);
    this.sql.exec("DELETE FROM conversation_members WHERE conversation_id = ?", groupId);
    this.sql.exec("DELETE FROM conversations WHERE id = ?", groupId);
  }

  /**
   * A user whose account ends leaves the group with the messages they sent there; the last one
   * out removes it. A group never stays without an admin: the longest-standing member becomes one.
   * The version goes up, so an admin's save read before this cannot bring them back.
   */
  private leaveGroup(groupId: string, userId: string): void {
    const members = this.sql
      .exec<{ user_id: string; admin: number }>(
        "SELECT user_id, admin FROM conversation_members WHERE conversation_id = ?",
        groupId,
      )
      .toArray();
    const others = members.filter((member) => member.user_id !== userId);
    if (others.length === members.length) return;
    if (others.length === 0) return this.removeGroup(groupId);
    this.sql.exec("DELETE FROM archived_messages WHERE conversation_id = ? AND sender_id = ?", groupId, userId);
    this.sql.exec("DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?", groupId, userId);
    if (!others.some((member) => member.admin)) {
      this.sql.exec(
        `UPDATE conversation_members SET admin = 1 WHERE conversation_id = ?1 AND user_id =
           (SELECT user_id FROM conversation_members WHERE conversation_id = ?1 ORDER BY joined_at, user_id LIMIT 1)`,
        groupId,
      );
    }
    this.sql.exec("UPDATE conversations SET version = version + 1 WHERE id = ?", groupId);
  }
}

type ConnectionRow = { conversation_id: string; created_at: number; status: string; requested_by: string };
type GroupRow = { id: string; group_name: string; created_by: string; created_at: number; version: number };
type MemberRow = { user_id: string; username: string; admin: number; muted: number; joined_at: number };

function toGroupMember(row: MemberRow): GroupMemberRecord {
  return {
    id: row.user_id,
    username: row.username,
    admin: row.admin === 1,
    muted: row.muted === 1,
    joinedAt: row.joined_at,
  };
}
type InviteRow = { token_hash: string; inviter_id: string; expires_at: number };

function toConnection(otherId: string, username: string, row: ConnectionRow): ConnectionRecord {
  return {
    userId: otherId,
    username,
    conversationId: row.conversation_id,
    createdAt: row.created_at,
    status: row.status === "pending" ? "pending" : "accepted",
    requestedBy: row.requested_by,
  };
}

function toInvite(row: InviteRow): InviteRecord {
  return { tokenHash: row.token_hash, inviterId: row.inviter_id, expiresAt: row.expires_at };
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

function toArchived(row: MessageRow): ArchivedMessage {
  return {
    conversationId: row.conversation_id,
    seq: row.seq,
    id: row.id,
    senderId: row.sender_id,
    body: row.body,
    sentAt: row.sent_at,
    ...(row.deleted ? { deleted: true as const } : {}),
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
    CREATE TABLE IF NOT EXISTS archived_messages (
      conversation_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      id TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      body TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, seq)
    ) WITHOUT ROWID;
  `);
  // Databases from before conversations could be closed: add the column once.
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('conversations')").toArray();
  if (!columns.some((column) => column.name === "closed")) {
    sql.exec("ALTER TABLE conversations ADD COLUMN closed INTEGER NOT NULL DEFAULT 0");
    // Under the old rule a conversation without its connection was out of reach: keep it so.
    sql.exec(`UPDATE conversations SET closed = 1 WHERE id NOT IN (SELECT conversation_id FROM connections)`);
  }
  // Consent: connections made before requests existed were mutual, so they stay accepted.
  addColumn(sql, "connections", "status", "TEXT NOT NULL DEFAULT 'accepted'");
  addColumn(sql, "connections", "requested_by", "TEXT NOT NULL DEFAULT ''");
  addColumn(sql, "conversations", "pending_from", "TEXT");
  // Groups are conversations with a name (NULL for one-to-one) and a version for optimistic saves.
  addColumn(sql, "conversations", "group_name", "TEXT");
  addColumn(sql, "conversations", "created_by", "TEXT");
  addColumn(sql, "conversations", "version", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "conversation_members", "admin", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "conversation_members", "muted", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "conversation_members", "joined_at", "INTEGER NOT NULL DEFAULT 0");
  // 1 once deleted for everyone: the body is empty.
  addColumn(sql, "archived_messages", "deleted", "INTEGER NOT NULL DEFAULT 0");
  sql.exec(`
    CREATE TABLE IF NOT EXISTS blocks (
      blocker TEXT NOT NULL,
      blocked TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (blocker, blocked)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS blocks_blocked ON blocks (blocked);
    CREATE TABLE IF NOT EXISTS invites (
      token_hash TEXT PRIMARY KEY,
      inviter_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS invites_inviter ON invites (inviter_id);
  `);
}

function addColumn(sql: SqlStorage, table: string, column: string, definition: string): void {
  const columns = sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).toArray();
  if (!columns.some((existing) => existing.name === column)) {
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}
