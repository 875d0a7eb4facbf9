import { openedGroup } from "../../group-rules";
import {
  ARCHIVE_BATCH_MAX,
  type ArchivedMessage,
  CONVERSATIONS_MAX,
  type ConversationStore,
  type OpenedConversation,
  type Result,
} from "../../ports/store";
import { readGroup } from "./groups";
import { ok, type RefRow, SqliteArea } from "./shared";

type MessageRow = {
  conversation_id: string;
  seq: number;
  id: string;
  sender_id: string;
  body: string;
  sent_at: number;
  deleted: number;
};

/**
 * Conversations, one-to-one (made with their connection, contacts.ts) or groups (groups.ts), and
 * the archive of their messages, keyed by conversation and seq.
 */
export class SqliteConversations extends SqliteArea implements ConversationStore {
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
    if (conversation.group_name !== null) return openGroup(this.sql, userId, conversationId);
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
}

function openGroup(
  sql: SqlStorage,
  userId: string,
  groupId: string,
): Result<OpenedConversation, "not_found" | "forbidden"> {
  const group = readGroup(sql, groupId);
  if (!group) return { ok: false, reason: "not_found" };
  if (!group.members.some((member) => member.id === userId)) return { ok: false, reason: "forbidden" };
  return ok(openedGroup(group));
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
