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
  /** JSON of ArchivedMessage["replyTo"]. */
  reply_to: string | null;
  edited_at: number | null;
  /** JSON of ArchivedMessage["reactions"], never an empty list. */
  reactions: string | null;
};

const COLUMNS = "conversation_id, seq, id, sender_id, body, sent_at, deleted, reply_to, edited_at, reactions";
const VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
/** Everything but the key: a copy written again replaces the one archived before, whole. */
const REPLACE_WHOLE = `ON CONFLICT (conversation_id, seq) DO UPDATE SET id = excluded.id, sender_id = excluded.sender_id,
  body = excluded.body, sent_at = excluded.sent_at, deleted = excluded.deleted, reply_to = excluded.reply_to,
  edited_at = excluded.edited_at, reactions = excluded.reactions`;

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
        const values = rowOf(message);
        const added = this.sql
          .exec(`INSERT OR IGNORE INTO archived_messages (${COLUMNS}) VALUES (${VALUES}) RETURNING 1`, ...values)
          .toArray().length;
        inserted += added;
        // A deletion empties the copy archived before it.
        if (!added && message.deleted) writeWhole(this.sql, values);
      }
      return ok({ inserted });
    });
  }

  async reviseArchivedMessages(batch: ArchivedMessage[]): Promise<Result<{ revised: number }>> {
    return this.storage.transactionSync(() => {
      const revisions = batch.slice(0, ARCHIVE_BATCH_MAX);
      for (const message of revisions) writeWhole(this.sql, rowOf(message));
      return ok({ revised: revisions.length });
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

/** Inserts the copy, or replaces the one archived under its (conversation, seq). */
function writeWhole(sql: SqlStorage, values: SqlStorageValue[]): void {
  sql.exec(`INSERT INTO archived_messages (${COLUMNS}) VALUES (${VALUES}) ${REPLACE_WHOLE}`, ...values);
}

/** The values of COLUMNS for a message; a deleted one keeps no body. */
function rowOf(message: ArchivedMessage): SqlStorageValue[] {
  return [
    message.conversationId,
    message.seq,
    message.id,
    message.senderId,
    message.deleted ? "" : message.body,
    message.sentAt,
    message.deleted ? 1 : 0,
    message.replyTo ? JSON.stringify(message.replyTo) : null,
    message.editedAt ?? null,
    message.reactions?.length ? JSON.stringify(message.reactions) : null,
  ];
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
    ...(row.reply_to !== null ? { replyTo: JSON.parse(row.reply_to) as NonNullable<ArchivedMessage["replyTo"]> } : {}),
    ...(row.edited_at !== null ? { editedAt: row.edited_at } : {}),
    ...(row.reactions !== null
      ? { reactions: JSON.parse(row.reactions) as NonNullable<ArchivedMessage["reactions"]> }
      : {}),
  };
}
