import type { Message } from "../protocol/api";

export interface Member {
  id: string;
  username: string;
}

/** What a member's hub should know of this conversation. */
export interface MemberActivity {
  userId: string;
  unread: number;
}

type MessageRow = { seq: number; id: string; sender_id: string; body: string; sent_at: number; deleted: number };

/** The outcome of appending: the new message, the one already stored under the same client id, or a full budget. */
export type Appended =
  | { stored: true; message: Message }
  | { stored: false; seq: number; senderId: string }
  | { stored: false; quotaExceeded: true };

/**
 * A conversation's storage in its room's SQLite: the append-only message log (per-conversation
 * seq, client id unique for idempotency), members with their read cursor and unread counter,
 * and the archive watermark. Every method is synchronous, so a decision never spans an await.
 * Counters are kept as messages arrive, never counted per message.
 */
export class ConversationLog {
  private readonly sql: SqlStorage;
  /** Members and the id change only on remember(); read per message, so kept in memory. */
  private memberCache: Member[] | null = null;
  private idCache: string | null = null;
  /** Each sender's stored characters, read once per wake: the budget is checked per message without a query. */
  private readonly storedCache = new Map<string, number>();
  private pendingCache: string | null = null;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.migrate();
  }

  /** The schema, created or brought up to date; also after `deleteAll()` empties the object. */
  migrate(): void {
    this.memberCache = null;
    this.idCache = null;
    this.pendingCache = null;
    this.storedCache.clear();
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sender_id TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        -- 1 once its sender deleted it for everyone: the body is gone, the seq stays.
        deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS members (
        user_id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        read_seq INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0,
        -- 1 while the member's hub has not heard of the latest change.
        hub_stale INTEGER NOT NULL DEFAULT 0,
        -- Characters of message bodies this member stored here: their storage budget.
        stored_chars INTEGER NOT NULL DEFAULT 0
      );
    `);
    // Rooms created before counters kept read cursors in `reads` and an `outbox` of unarchived rows.
    const tables = new Set(
      this.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((row) => row.name),
    );
    if (tables.has("reads")) {
      this.sql.exec(
        "UPDATE members SET read_seq = COALESCE((SELECT seq FROM reads WHERE user_id = members.user_id), 0)",
      );
      this.sql.exec("DROP TABLE reads");
      for (const member of this.members()) this.recountUnread(member.id);
    }
    const messageColumns = this.sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray();
    if (!messageColumns.some((column) => column.name === "deleted")) {
      this.sql.exec("ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0");
    }
    const memberColumns = this.sql.exec<{ name: string }>("PRAGMA table_info(members)").toArray();
    if (!memberColumns.some((column) => column.name === "stored_chars")) {
      this.sql.exec("ALTER TABLE members ADD COLUMN stored_chars INTEGER NOT NULL DEFAULT 0");
    }
    if (tables.has("outbox")) {
      const first = this.sql.exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM outbox").one().seq;
      this.setArchivedThrough(first === null ? this.lastSeq() : first - 1);
      this.sql.exec("DROP TABLE outbox");
    }
  }

  conversationId(): string | null {
    this.idCache ??= this.meta("conversation_id");
    return this.idCache;
  }

  /** Records which conversation this is, who is in it and whether it is a request, as the Worker vouched. */
  remember(conversationId: string, members: Member[], pendingFrom: string | null): void {
    this.storage.transactionSync(() => {
      this.setMeta("conversation_id", conversationId);
      this.setMeta("pending_from", pendingFrom ?? "");
      for (const member of members) {
        this.sql.exec(
          "INSERT INTO members (user_id, username) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET username = excluded.username",
          member.id,
          member.username,
        );
      }
    });
    this.memberCache = null;
    this.idCache = conversationId;
    this.pendingCache = pendingFrom ?? "";
  }

  /** While the conversation is a request not yet accepted: who asked; else null. */
  pendingFrom(): string | null {
    this.pendingCache ??= this.meta("pending_from") ?? "";
    return this.pendingCache || null;
  }

  accept(): void {
    this.setMeta("pending_from", "");
    this.pendingCache = "";
  }

  /** How many messages one member stored here: what a request may send is bounded. */
  sentBy(userId: string): number {
    return this.sql.exec<{ sent: number }>("SELECT COUNT(*) AS sent FROM messages WHERE sender_id = ?", userId).one()
      .sent;
  }

  members(): Member[] {
    this.memberCache ??= this.sql
      .exec<{ user_id: string; username: string }>("SELECT user_id, username FROM members ORDER BY username")
      .toArray()
      .map((row) => ({ id: row.user_id, username: row.username }));
    return this.memberCache;
  }

  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM messages").one().seq ?? 0;
  }

  /**
   * Commits a message in one transaction: the row, the sender's read cursor, everyone else's
   * unread counter. A client id already used returns what it was stored as.
   */
  append(clientId: string, senderId: string, body: string, sentAt: number, maxStoredChars: number): Appended {
    const conversationId = this.conversationId() ?? "";
    return this.storage.transactionSync((): Appended => {
      const stored = this.storedChars(senderId);
      if (stored !== undefined && stored + body.length > maxStoredChars) {
        const existing = this.sql
          .exec<{ seq: number; sender_id: string }>("SELECT seq, sender_id FROM messages WHERE id = ?", clientId)
          .toArray()[0];
        return existing
          ? { stored: false, seq: existing.seq, senderId: existing.sender_id }
          : { stored: false, quotaExceeded: true };
      }
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
      if (!inserted) {
        const existing = this.sql
          .exec<{ seq: number; sender_id: string }>("SELECT seq, sender_id FROM messages WHERE id = ?", clientId)
          .one();
        return { stored: false, seq: existing.seq, senderId: existing.sender_id };
      }
      this.sql.exec(
        `UPDATE members SET
           read_seq = CASE WHEN user_id = ? THEN ? ELSE read_seq END,
           unread = CASE WHEN user_id = ? THEN 0 ELSE unread + 1 END,
           stored_chars = CASE WHEN user_id = ? THEN stored_chars + ? ELSE stored_chars END,
           hub_stale = 1`,
        senderId,
        inserted.seq,
        senderId,
        senderId,
        body.length,
      );
      if (stored !== undefined) this.storedCache.set(senderId, stored + body.length);
      const message = toMessage(conversationId, {
        seq: inserted.seq,
        id: clientId,
        sender_id: senderId,
        body,
        sent_at: sentAt,
        deleted: 0,
      });
      return { stored: true, message };
    });
  }

  /**
   * Deletes one of the sender's own messages for everyone: the body is erased, the seq stays so
   * nobody's cursor or resume moves. False when there is no such live message of theirs.
   */
  deleteMessage(seq: number, senderId: string): boolean {
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

  private storedChars(userId: string): number | undefined {
    const known = this.storedCache.get(userId);
    if (known !== undefined) return known;
    const stored = this.sql
      .exec<{ stored_chars: number }>("SELECT stored_chars FROM members WHERE user_id = ?", userId)
      .toArray()[0]?.stored_chars;
    if (stored !== undefined) this.storedCache.set(userId, stored);
    return stored;
  }

  /** Every member's hub should hear of a change to the conversation (a deleted last message). */
  markAllHubsStale(): void {
    this.sql.exec("UPDATE members SET hub_stale = 1");
  }

  /** Messages with seq greater than `afterSeq`, oldest first, at most `limit`. */
  after(afterSeq: number, limit: number): Message[] {
    const conversationId = this.conversationId() ?? "";
    return this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
      .toArray()
      .map((row) => toMessage(conversationId, row));
  }

  /** A page of history before `beforeSeq` (or the newest), oldest first. */
  page(beforeSeq: number | undefined, limit: number): { messages: Message[]; hasMore: boolean } {
    const conversationId = this.conversationId() ?? "";
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

  lastMessage(): Message | null {
    return this.page(undefined, 1).messages[0] ?? null;
  }

  readCursors(): Record<string, number> {
    const cursors: Record<string, number> = {};
    for (const row of this.sql.exec<{ user_id: string; read_seq: number }>("SELECT user_id, read_seq FROM members")) {
      if (row.read_seq > 0) cursors[row.user_id] = row.read_seq;
    }
    return cursors;
  }

  /** Moves a read cursor forward (never back, never past the last message); the new cursor, or null. */
  advanceRead(userId: string, seq: number): number | null {
    const upTo = Math.min(seq, this.lastSeq());
    const moved = this.sql
      .exec(
        "UPDATE members SET read_seq = ?, hub_stale = 1 WHERE user_id = ? AND read_seq < ? RETURNING user_id",
        upTo,
        userId,
        upTo,
      )
      .toArray();
    if (moved.length === 0) return null;
    this.recountUnread(userId);
    return upTo;
  }

  /** Members whose hub has not heard of the latest change, with what it should hear. */
  staleHubs(): MemberActivity[] {
    return this.sql
      .exec<{ user_id: string; unread: number }>("SELECT user_id, unread FROM members WHERE hub_stale = 1")
      .toArray()
      .map((row) => ({ userId: row.user_id, unread: row.unread }));
  }

  markHubsCurrent(userIds: string[]): void {
    for (const userId of userIds) this.sql.exec("UPDATE members SET hub_stale = 0 WHERE user_id = ?", userId);
  }

  markHubsStale(userIds: string[]): void {
    for (const userId of userIds) this.sql.exec("UPDATE members SET hub_stale = 1 WHERE user_id = ?", userId);
  }

  /** Every message up to this seq is in the archive. */
  archivedThrough(): number {
    return Number(this.meta("archived_through_seq") ?? 0);
  }

  setArchivedThrough(seq: number): void {
    this.setMeta("archived_through_seq", String(seq));
  }

  /** Only the messages after the reader's cursor are counted: the rows that are unread. */
  private recountUnread(userId: string): void {
    this.sql.exec(
      `UPDATE members SET unread = (
         SELECT COUNT(*) FROM messages WHERE seq > members.read_seq AND sender_id != members.user_id
       ) WHERE user_id = ?`,
      userId,
    );
  }

  private meta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
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
  return row.deleted ? { ...message, body: "", deleted: true } : message;
}
