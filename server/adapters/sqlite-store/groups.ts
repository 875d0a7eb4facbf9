import { GROUP_LIMITS } from "../../../protocol/api";
import { GROUPS_MAX, type GroupMemberRecord, type GroupRecord, type GroupStore, type Result } from "../../ports/store";
import { ok, SqliteArea } from "./shared";

type GroupRow = { id: string; group_name: string; created_by: string; created_at: number; version: number };
type MemberRow = { user_id: string; username: string; admin: number; muted: number; joined_at: number };

/**
 * Groups: a conversation with a name (`group_name`, NULL for one-to-one) and a `version` for
 * optimistic saves, its members in `conversation_members` with their role, mute and join time.
 */
export class SqliteGroups extends SqliteArea implements GroupStore {
  async createGroup(group: Omit<GroupRecord, "version">): Promise<Result<GroupRecord>> {
    return this.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT INTO conversations (id, created_at, closed, pending_from, group_name, created_by, version) VALUES (?, ?, 0, NULL, ?, ?, 1)",
        group.id,
        group.createdAt,
        group.name,
        group.createdBy,
      );
      for (const member of group.members) putMember(this.sql, group.id, member);
      return ok(readGroup(this.sql, group.id)!);
    });
  }

  async getGroup(groupId: string): Promise<Result<GroupRecord | null>> {
    return ok(readGroup(this.sql, groupId));
  }

  async listGroups(userId: string): Promise<Result<GroupRecord[]>> {
    return this.storage.transactionSync(() =>
      ok(groupIdsOf(this.sql, userId).flatMap((id) => readGroup(this.sql, id) ?? [])),
    );
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
      for (const member of group.members) putMember(this.sql, group.id, member);
      return ok(readGroup(this.sql, group.id)!);
    });
  }

  async deleteGroup(groupId: string): Promise<Result<null>> {
    this.storage.transactionSync(() => removeGroup(this.sql, groupId));
    return ok(null);
  }
}

/** The groups `userId` is in, newest first. */
export function groupIdsOf(sql: SqlStorage, userId: string): string[] {
  return sql
    .exec<{ id: string }>(
      `SELECT c.id FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = ? AND c.group_name IS NOT NULL ORDER BY c.created_at DESC, c.id LIMIT ?`,
      userId,
      GROUPS_MAX,
    )
    .toArray()
    .map((row) => row.id);
}

/** The group with its members in the order they joined; null when there is no such group. */
export function readGroup(sql: SqlStorage, groupId: string): GroupRecord | null {
  const row = sql
    .exec<GroupRow>(
      "SELECT id, group_name, created_by, created_at, version FROM conversations WHERE id = ? AND group_name IS NOT NULL",
      groupId,
    )
    .toArray()[0];
  if (!row) return null;
  const members = sql
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

function putMember(sql: SqlStorage, groupId: string, member: GroupMemberRecord): void {
  sql.exec(
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
export function removeGroup(sql: SqlStorage, groupId: string): void {
  const kind = sql
    .exec<{ group_name: string | null }>("SELECT group_name FROM conversations WHERE id = ?", groupId)
    .toArray()[0];
  if (kind && kind.group_name === null) return;
  sql.exec("DELETE FROM archived_messages WHERE conversation_id = ?", groupId);
  sql.exec("DELETE FROM conversation_members WHERE conversation_id = ?", groupId);
  sql.exec("DELETE FROM conversations WHERE id = ?", groupId);
}

/**
 * A user whose account ends leaves the group with the messages they sent there; the last one
 * out removes it. A group never stays without an admin: the longest-standing member becomes one.
 * The version goes up, so an admin's save read before this cannot bring them back.
 */
export function leaveGroup(sql: SqlStorage, groupId: string, userId: string): void {
  const members = sql
    .exec<{ user_id: string; admin: number }>(
      "SELECT user_id, admin FROM conversation_members WHERE conversation_id = ?",
      groupId,
    )
    .toArray();
  const others = members.filter((member) => member.user_id !== userId);
  if (others.length === members.length) return;
  if (others.length === 0) return removeGroup(sql, groupId);
  sql.exec("DELETE FROM archived_messages WHERE conversation_id = ? AND sender_id = ?", groupId, userId);
  sql.exec("DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?", groupId, userId);
  if (!others.some((member) => member.admin)) {
    sql.exec(
      `UPDATE conversation_members SET admin = 1 WHERE conversation_id = ?1 AND user_id =
         (SELECT user_id FROM conversation_members WHERE conversation_id = ?1 ORDER BY joined_at, user_id LIMIT 1)`,
      groupId,
    );
  }
  sql.exec("UPDATE conversations SET version = version + 1 WHERE id = ?", groupId);
}

function toGroupMember(row: MemberRow): GroupMemberRecord {
  return {
    id: row.user_id,
    username: row.username,
    admin: row.admin === 1,
    muted: row.muted === 1,
    joinedAt: row.joined_at,
  };
}
