import type { Message } from "../protocol/api";
import { type Member, RoomMembers } from "./room-members";
import { RoomMessages } from "./room-messages";
import { type RoomGroup, RoomMeta } from "./room-meta";

/** The outcome of appending: the new message, the one already stored under the same client id, or a full budget. */
export type Appended =
  | { stored: true; message: Message }
  | { stored: false; seq: number; senderId: string }
  | { stored: false; quotaExceeded: true };

/**
 * A conversation's storage in its room's SQLite: its schema, and the writes that span its tables
 * (`meta`, `messages`, `members`, each read and written through its own part). Every method is
 * synchronous, so a decision never spans an await.
 */
export class ConversationLog {
  readonly meta: RoomMeta;
  readonly messages: RoomMessages;
  readonly members: RoomMembers;
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.meta = new RoomMeta(this.sql);
    this.messages = new RoomMessages(this.sql, () => this.meta.conversationId() ?? "");
    this.members = new RoomMembers(this.sql);
    this.migrate();
  }

  /** The schema, created or brought up to date; also after `deleteAll()` empties the object. */
  migrate(): void {
    this.forget();
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sender_id TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        -- 1 once its sender deleted it for everyone: the body is gone, the seq stays.
        deleted INTEGER NOT NULL DEFAULT 0,
        -- A group's system line: its SystemEvent as JSON.
        system TEXT
      );
      CREATE TABLE IF NOT EXISTS members (
        user_id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        read_seq INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0,
        -- 1 while the member's hub has not heard of the latest change.
        hub_stale INTEGER NOT NULL DEFAULT 0,
        -- Characters of message bodies this member stored here: their storage budget.
        stored_chars INTEGER NOT NULL DEFAULT 0,
        -- In a group: the first seq this member may see (the line that added them).
        visible_from_seq INTEGER NOT NULL DEFAULT 0,
        -- In a group: the latest message that mentions this member.
        mentioned_seq INTEGER NOT NULL DEFAULT 0
      );
      -- Messages deleted after the archive may have taken them with their body: the next flush empties them there.
      CREATE TABLE IF NOT EXISTS archive_deletions (seq INTEGER PRIMARY KEY);
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
      this.members.recountAllUnread();
    }
    const messageColumns = this.sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray();
    if (!messageColumns.some((column) => column.name === "deleted")) {
      this.sql.exec("ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0");
    }
    if (!messageColumns.some((column) => column.name === "system")) {
      this.sql.exec("ALTER TABLE messages ADD COLUMN system TEXT");
    }
    const memberColumns = new Set(
      this.sql
        .exec<{ name: string }>("PRAGMA table_info(members)")
        .toArray()
        .map((column) => column.name),
    );
    for (const column of ["stored_chars", "visible_from_seq", "mentioned_seq"]) {
      // Column names come from this list, never from input.
      if (!memberColumns.has(column))
        this.sql.exec(`ALTER TABLE members ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`);
    }
    if (tables.has("outbox")) {
      const first = this.sql.exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM outbox").one().seq;
      this.meta.setArchivedThrough(first === null ? this.messages.lastSeq() : first - 1);
      this.sql.exec("DROP TABLE outbox");
    }
  }

  /** One synchronous transaction; one that rolls back leaves no cached value of its writes behind. */
  transaction<T>(write: () => T): T {
    try {
      return this.storage.transactionSync(write);
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  /**
   * Records which conversation this is, who is in it and whether it is a request, as the Worker
   * vouched. A group member the room has not heard of yet (its change is on the way) sees nothing
   * before now: the line that added them sets their floor when it comes.
   */
  remember(conversationId: string, members: Member[], pendingFrom: string | null, group?: RoomGroup): void {
    const floor = group ? this.messages.lastSeq() + 1 : 0;
    this.transaction(() => {
      this.meta.setConversationId(conversationId);
      this.meta.setPendingFrom(pendingFrom);
      if (group) this.meta.setGroup(group);
      for (const member of members) this.members.upsert(member, floor);
    });
  }

  /**
   * Commits a message in one transaction, one INSERT and one UPDATE: the row, the sender's read
   * cursor, everyone else's unread counter. A client id already used returns what it was stored as.
   */
  append(
    clientId: string,
    senderId: string,
    body: string,
    sentAt: number,
    maxStoredChars: number,
    mentioned: string[] = [],
  ): Appended {
    return this.transaction((): Appended => {
      const stored = this.members.storedChars(senderId);
      if (stored !== undefined && stored + body.length > maxStoredChars) {
        const existing = this.messages.stored(clientId);
        return existing ? { stored: false, ...existing } : { stored: false, quotaExceeded: true };
      }
      const message = this.messages.insert(clientId, senderId, body, sentAt);
      if (!message) {
        const existing = this.messages.stored(clientId);
        if (!existing) throw new Error("a conflicting client id has no row");
        return { stored: false, ...existing };
      }
      this.members.recordSend(senderId, message.seq, body.length, mentioned);
      return { stored: true, message };
    });
  }

  /** Moves a read cursor forward (never back, never past the last message); the new cursor, or null. */
  advanceRead(userId: string, seq: number): number | null {
    const upTo = Math.min(seq, this.messages.lastSeq());
    return this.members.advanceRead(userId, upTo) ? upTo : null;
  }

  private forget(): void {
    this.meta.forget();
    this.members.forget();
  }
}
