import {
  CONVERSATIONS_MAX,
  type DetachedUser,
  type DetachedUserOf,
  type PurgeStore,
  type Result,
  USER_BATCH_MAX,
} from "../../ports/store";
import { groupIdsOf, leaveGroup } from "./groups";
import { ok, SqliteArea } from "./shared";

/** Ending accounts and removing what they leave, each user in one transaction. */
export class SqlitePurge extends SqliteArea implements PurgeStore {
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
        conversationIds: conversationIdsOf(this.sql, userId),
        formerConnections,
        groupIds: groupIdsOf(this.sql, userId),
      });
    });
  }

  async deleteUser(userId: string): Promise<Result<null>> {
    this.storage.transactionSync(() => {
      for (let ids = groupIdsOf(this.sql, userId); ids.length > 0; ids = groupIdsOf(this.sql, userId)) {
        for (const id of ids) leaveGroup(this.sql, id, userId);
      }
      for (let ids = conversationIdsOf(this.sql, userId); ids.length > 0; ids = conversationIdsOf(this.sql, userId)) {
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
}

/** Their one-to-one conversations (a group is not theirs to close or remove). */
function conversationIdsOf(sql: SqlStorage, userId: string): string[] {
  return sql
    .exec<{ conversation_id: string }>(
      `SELECT m.conversation_id FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = ? AND c.group_name IS NULL LIMIT ?`,
      userId,
      CONVERSATIONS_MAX,
    )
    .toArray()
    .map((row) => row.conversation_id);
}
