import type { Message } from "../protocol/api";
import { SYSTEM_SENDER_ID, type SystemEvent } from "../protocol/wire";

type MessageRow = {
  seq: number;
  id: string;
  sender_id: string;
  body: string;
  sent_at: number;
  deleted: number;
  system: string | null;
};

/** A message already stored under a client id: a resend is answered with it. */
export interface StoredMessage {
  seq: number;
  senderId: string;
}

/**
 * The append-only message log (`messages`): a per-conversation seq, the client id unique so a
 * resend is stored once. A deleted message keeps its seq and loses its body.
 */
export class RoomMessages {
  constructor(
    private readonly sql: SqlStorage,
    private readonly conversationId: () => string,
  ) {}

  /** Appends at the next seq; null when the client id is taken. */
  insert(clientId: string, senderId: string, body: string, sentAt: number): Message | null {
    const inserted = this.sql
      .exec<{ seq: number }>(
        // The seq is chosen here, not by AUTOINCREMENT, so that a resend (a conflict) uses none up.
        `INSERT INTO messages (seq, id, sender_id, body, sent_at)
           SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM messages WHERE true
           ON CONFLICT (id) DO NOTHING RETURNING seq`,
        clientId,
        senderId,
        body,
        sentAt,
      )
      .toArray()[0];
    if (!inserted) return null;
    const row = {
      seq: inserted.seq,
      id: clientId,
      sender_id: senderId,
      body,
      sent_at: sentAt,
      deleted: 0,
      system: null,
    };
    return toMessage(this.conversationId(), row);
  }

  /** Appends a group's system line at the next seq; null when its id is taken (the change was told before). */
  insertSystemLine(id: string, event: SystemEvent, body: string, now: number): Message | null {
    const row = this.sql
      .exec<MessageRow>(
        `INSERT INTO messages (seq, id, sender_id, body, sent_at, system)
           SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM messages WHERE true
           ON CONFLICT (id) DO NOTHING RETURNING *`,
        id,
        SYSTEM_SENDER_ID,
        body,
        now,
        JSON.stringify(event),
      )
      .toArray()[0];
    return row ? toMessage(this.conversationId(), row) : null;
  }

  byId(id: string): Message {
    const row = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).one();
    return toMessage(this.conversationId(), row);
  }

  /** The message stored under a client id, if any. */
  stored(clientId: string): StoredMessage | null {
    const row = this.sql
      .exec<{ seq: number; sender_id: string }>("SELECT seq, sender_id FROM messages WHERE id = ?", clientId)
      .toArray()[0];
    return row ? { seq: row.seq, senderId: row.sender_id } : null;
  }

  /** How many messages one member stored here: what a request may send is bounded. */
  sentBy(userId: string): number {
    return this.sql.exec<{ sent: number }>("SELECT COUNT(*) AS sent FROM messages WHERE sender_id = ?", userId).one()
      .sent;
  }

  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM messages").one().seq ?? 0;
  }

  /** Messages with seq greater than `afterSeq` (and at least `fromSeq`), oldest first, at most `limit`. */
  after(afterSeq: number, limit: number, fromSeq = 0): Message[] {
    const conversationId = this.conversationId();
    return this.sql
      .exec<MessageRow>(
        "SELECT * FROM messages WHERE seq > ? AND seq >= ? ORDER BY seq LIMIT ?",
        afterSeq,
        fromSeq,
        limit,
      )
      .toArray()
      .map((row) => toMessage(conversationId, row));
  }

  /** A page of history before `beforeSeq` (or the newest) and from `fromSeq` on, oldest first. */
  page(beforeSeq: number | undefined, limit: number, fromSeq = 0): { messages: Message[]; hasMore: boolean } {
    const conversationId = this.conversationId();
    const rows = this.sql
      .exec<MessageRow>(
        "SELECT * FROM messages WHERE seq < ? AND seq >= ? ORDER BY seq DESC LIMIT ?",
        beforeSeq ?? Number.MAX_SAFE_INTEGER,
        fromSeq,
        limit + 1,
      )
      .toArray();
    const hasMore = rows.length > limit;
    return {
      messages: rows
        .slice(0, limit)
        .reverse()
        .map((row) => toMessage(conversationId, row)),
      hasMore,
    };
  }

  lastMessage(): Message | null {
    return this.page(undefined, 1).messages[0] ?? null;
  }

  /**
   * Deletes one of the sender's own messages for everyone: the body is erased, the seq stays so
   * nobody's cursor or resume moves. False when there is no such live message of theirs.
   */
  delete(seq: number, senderId: string): boolean {
    return (
      this.sql
        .exec(
          "UPDATE messages SET body = '', deleted = 1 WHERE seq = ? AND sender_id = ? AND deleted = 0 RETURNING seq",
          seq,
          senderId,
        )
        .toArray().length > 0
    );
  }

  /** Queues a deleted message for the archive, which may hold its body. Safe to repeat. */
  queueArchiveDeletion(seq: number): void {
    this.sql.exec("INSERT OR IGNORE INTO archive_deletions (seq) VALUES (?)", seq);
  }

  /** Deleted messages queued for the archive, oldest first, at most `limit`; each as history serves it. */
  archiveDeletions(limit: number): Message[] {
    const conversationId = this.conversationId();
    return this.sql
      .exec<MessageRow>(
        "SELECT messages.* FROM archive_deletions JOIN messages USING (seq) ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => toMessage(conversationId, row));
  }

  /** The archive took these deletions. */
  archiveDeletionsDone(seqs: number[]): void {
    for (const seq of seqs) this.sql.exec("DELETE FROM archive_deletions WHERE seq = ?", seq);
  }

  /** Wipes every live message of one sender; returns the newest `shown` of their seqs, newest first. */
  wipeSender(senderId: string, shown: number): number[] {
    const newest = this.sql
      .exec<{ seq: number }>(
        "SELECT seq FROM messages WHERE sender_id = ? AND deleted = 0 ORDER BY seq DESC LIMIT ?",
        senderId,
        shown,
      )
      .toArray()
      .map((row) => row.seq);
    this.sql.exec("UPDATE messages SET body = '', deleted = 1 WHERE sender_id = ? AND deleted = 0", senderId);
    return newest;
  }
}

function toMessage(conversationId: string, row: MessageRow): Message {
  const message: Message = {
    id: row.id,
    seq: row.seq,
    conversationId,
    senderId: row.sender_id,
    body: row.body,
    sentAt: new Date(row.sent_at).toISOString(),
  };
  if (row.system) message.system = JSON.parse(row.system) as SystemEvent;
  return row.deleted ? { ...message, body: "", deleted: true } : message;
}
