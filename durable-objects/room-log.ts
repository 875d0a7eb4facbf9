import type { Message } from "../protocol/api";

export interface Member {
  id: string;
  username: string;
}

type MessageRow = { seq: number; id: string; sender_id: string; body: string; sent_at: number };

/** A message that was already stored under the same client id. */
export interface ExistingMessage {
  seq: number;
  senderId: string;
}

/**
 * A conversation's storage in its room's SQLite: the message log (per-conversation seq,
 * client id unique for idempotency), the outbox of messages not yet archived, read cursors
 * and members. Every method is synchronous, so a decision never spans an await.
 */
export class ConversationLog {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sender_id TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS reads (user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS members (user_id TEXT PRIMARY KEY, username TEXT NOT NULL);
    `);
  }

  conversationId(): string | null {
    return (
      this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'conversation_id'").toArray()[0]?.value ??
      null
    );
  }

  /** Records which conversation this is and who is in it, as the Worker vouched. */
  remember(conversationId: string, members: Member[]): void {
    this.storage.transactionSync(() => {
      this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('conversation_id', ?)", conversationId);
      for (const member of members) {
        this.sql.exec("INSERT OR REPLACE INTO members (user_id, username) VALUES (?, ?)", member.id, member.username);
      }
    });
  }

  members(): Member[] {
    return this.sql
      .exec<{ user_id: string; username: string }>("SELECT user_id, username FROM members ORDER BY username")
      .toArray()
      .map((row) => ({ id: row.user_id, username: row.username }));
  }

  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM messages").one().seq ?? 0;
  }

  find(clientId: string): ExistingMessage | null {
    const row = this.sql
      .exec<{ seq: number; sender_id: string }>("SELECT seq, sender_id FROM messages WHERE id = ?", clientId)
      .toArray()[0];
    return row ? { seq: row.seq, senderId: row.sender_id } : null;
  }

  /** Commits a message, queues it for the archive, and moves the sender's read cursor to it. */
  append(conversationId: string, clientId: string, senderId: string, body: string, sentAt: number): Message {
    return this.storage.transactionSync(() => {
      const { seq } = this.sql
        .exec<{ seq: number }>(
          "INSERT INTO messages (id, sender_id, body, sent_at) VALUES (?, ?, ?, ?) RETURNING seq",
          clientId,
          senderId,
          body,
          sentAt,
        )
        .one();
      this.sql.exec("INSERT INTO outbox (seq) VALUES (?)", seq);
      this.advanceRead(senderId, seq);
      return { id: clientId, seq, conversationId, senderId, body, sentAt: new Date(sentAt).toISOString() };
    });
  }

  /** Messages with seq greater than `afterSeq`, oldest first, at most `limit`. */
  after(conversationId: string, afterSeq: number, limit: number): Message[] {
    return this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
      .toArray()
      .map((row) => toMessage(conversationId, row));
  }

  /** A page of history before `beforeSeq` (or the newest), oldest first. */
  page(
    conversationId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): { messages: Message[]; hasMore: boolean } {
    const rows = this.sql
      .exec<MessageRow>(
        "SELECT * FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?",
        beforeSeq ?? Number.MAX_SAFE_INTEGER,
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

  readCursors(): Record<string, number> {
    const cursors: Record<string, number> = {};
    for (const row of this.sql.exec<{ user_id: string; seq: number }>("SELECT user_id, seq FROM reads"))
      cursors[row.user_id] = row.seq;
    return cursors;
  }

  /** Moves a read cursor forward (never back); true when it moved. */
  advanceRead(userId: string, seq: number): boolean {
    const moved = this.sql
      .exec(
        "INSERT INTO reads (user_id, seq) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > reads.seq RETURNING seq",
        userId,
        seq,
      )
      .toArray();
    return moved.length > 0;
  }

  /** Messages from others after the user's read cursor. */
  unreadFor(userId: string): number {
    return this.sql
      .exec<{ unread: number }>(
        "SELECT COUNT(*) AS unread FROM messages WHERE seq > COALESCE((SELECT seq FROM reads WHERE user_id = ?), 0) AND sender_id != ?",
        userId,
        userId,
      )
      .one().unread;
  }

  outboxSize(): number {
    return this.sql.exec<{ size: number }>("SELECT COUNT(*) AS size FROM outbox").one().size;
  }
}

function toMessage(conversationId: string, row: MessageRow): Message {
  return {
    id: row.id,
    seq: row.seq,
    conversationId,
    senderId: row.sender_id,
    body: row.body,
    sentAt: new Date(row.sent_at).toISOString(),
  };
}
