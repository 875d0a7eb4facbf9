import type { Message } from "../protocol/api";
import { SYSTEM_SENDER_ID, type SystemEvent } from "../protocol/wire";

export interface Member {
  id: string;
  username: string;
}

/** A group's name and who manages it, as its room keeps them; absent for a one-to-one conversation. */
export interface RoomGroup {
  name: string;
  admins: string[];
}

/** A change to a group as the Store saved it, with the line that tells it. */
export interface GroupChange {
  group: RoomGroup;
  members: Member[];
  event: SystemEvent;
  body: string;
  /** The Store's version after the change: a repeat is stored once, an older one leaves the state alone. */
  version?: number;
}

/** What a group change did: its line, and who is no longer a member. */
export interface GroupChanged {
  message: Message;
  removed: string[];
  /** The same change was applied before: nothing was written. */
  repeated: boolean;
}

/** What ending a member did: the line, and the newest of their messages wiped (the rest are wiped too). */
export interface MemberRemoved {
  message: Message;
  wipedSeqs: number[];
}

/** What a member's hub should know of this conversation. */
export interface MemberActivity {
  userId: string;
  unread: number;
  /** A message after their read cursor mentions them. */
  mentioned: boolean;
}

type MessageRow = {
  seq: number;
  id: string;
  sender_id: string;
  body: string;
  sent_at: number;
  deleted: number;
  system: string | null;
};

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
  /** Per member, the first seq they may see (0 in a one-to-one conversation). */
  private floorCache: Map<string, number> | null = null;
  private groupCache: RoomGroup | null | undefined = undefined;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.migrate();
  }

  /** The schema, created or brought up to date; also after `deleteAll()` empties the object. */
  migrate(): void {
    this.memberCache = null;
    this.idCache = null;
    this.pendingCache = null;
    this.floorCache = null;
    this.groupCache = undefined;
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
      this.setArchivedThrough(first === null ? this.lastSeq() : first - 1);
      this.sql.exec("DROP TABLE outbox");
    }
  }

  conversationId(): string | null {
    this.idCache ??= this.meta("conversation_id");
    return this.idCache;
  }

  /**
   * Records which conversation this is, who is in it and whether it is a request, as the Worker
   * vouched. A group member the room has not heard of yet (its change is on the way) sees nothing
   * before now: the line that added them sets their floor when it comes.
   */
  remember(conversationId: string, members: Member[], pendingFrom: string | null, group?: RoomGroup): void {
    const floor = group ? this.lastSeq() + 1 : 0;
    this.storage.transactionSync(() => {
      this.setMeta("conversation_id", conversationId);
      this.setMeta("pending_from", pendingFrom ?? "");
      if (group) this.setMeta("group", JSON.stringify(group));
      for (const member of members) this.upsertMember(member, floor);
    });
    this.forgetMembers();
    this.idCache = conversationId;
    this.pendingCache = pendingFrom ?? "";
    if (group) this.groupCache = group;
  }

  /** A group's name and admins; null for a one-to-one conversation. */
  group(): RoomGroup | null {
    if (this.groupCache === undefined) {
      const raw = this.meta("group");
      this.groupCache = raw ? (JSON.parse(raw) as RoomGroup) : null;
    }
    return this.groupCache;
  }

  /** The first seq a member may see (0: all of it), or null for someone who is not a member. */
  visibleFrom(userId: string): number | null {
    this.floorCache ??= new Map(
      this.sql
        .exec<{ user_id: string; visible_from_seq: number }>("SELECT user_id, visible_from_seq FROM members")
        .toArray()
        .map((row) => [row.user_id, row.visible_from_seq]),
    );
    return this.floorCache.get(userId) ?? null;
  }

  /**
   * Applies a group change in one transaction: the name and admins, the system line, the new
   * members (who see history from that line on), and the rows of members who are gone.
   */
  changeGroup(change: GroupChange, conversationId: string, now: number): GroupChanged {
    // One saved version may be told in several lines (a leave and the admin it made): one id each.
    const key = change.version === undefined ? crypto.randomUUID() : `v${change.version}:${change.event.event}`;
    const id = `${SYSTEM_SENDER_ID}${key}`;
    const changed = this.storage.transactionSync((): GroupChanged => {
      // `created` may be the first the room hears of the conversation.
      this.setMeta("conversation_id", conversationId);
      this.idCache = conversationId;
      const inserted = this.insertSystemLine(id, change.event, change.body, now);
      if (!inserted) return { message: this.messageById(id), removed: [], repeated: true };
      const storedVersion = Number(this.meta("group_version") ?? -1);
      // An older change that arrives late tells its line, but the state is already newer.
      if (change.version !== undefined && change.version < storedVersion) {
        this.sql.exec("UPDATE members SET hub_stale = 1");
        return { message: inserted, removed: [], repeated: false };
      }
      if (change.version !== undefined) this.setMeta("group_version", String(change.version));
      this.setMeta("group", JSON.stringify(change.group));
      const kept = new Set(change.members.map((member) => member.id));
      const removed = this.members()
        .map((member) => member.id)
        .filter((memberId) => !kept.has(memberId));
      for (const memberId of removed) this.sql.exec("DELETE FROM members WHERE user_id = ?", memberId);
      const joined = new Set(
        change.event.event === "added" || change.event.event === "created"
          ? change.event.targets.map((target) => target.id)
          : [],
      );
      for (const member of change.members) {
        this.upsertMember(member, inserted.seq);
        // Added again (or their row came first from a socket): history starts at this line.
        if (joined.has(member.id)) {
          this.sql.exec("UPDATE members SET visible_from_seq = ? WHERE user_id = ?", inserted.seq, member.id);
        }
      }
      this.sql.exec("UPDATE members SET hub_stale = 1");
      return { message: inserted, removed, repeated: false };
    });
    this.forgetMembers();
    this.groupCache = undefined;
    return changed;
  }

  /**
   * A member's account ended: their messages are wiped for everyone, their row goes, and a line
   * says so, in one transaction. Null when they are not a member (already ended: a repeat).
   */
  endMember(userId: string, event: SystemEvent, body: string, now: number, wipedShown: number): MemberRemoved | null {
    if (this.visibleFrom(userId) === null) return null;
    const removed = this.storage.transactionSync((): MemberRemoved => {
      const wipedSeqs = this.sql
        .exec<{ seq: number }>(
          "SELECT seq FROM messages WHERE sender_id = ? AND deleted = 0 ORDER BY seq DESC LIMIT ?",
          userId,
          wipedShown,
        )
        .toArray()
        .map((row) => row.seq);
      this.sql.exec("UPDATE messages SET body = '', deleted = 1 WHERE sender_id = ? AND deleted = 0", userId);
      this.sql.exec("DELETE FROM members WHERE user_id = ?", userId);
      const group = this.group();
      if (group) this.setMeta("group", JSON.stringify({ ...group, admins: this.adminsWithout(group, userId) }));
      const message = this.insertSystemLine(`${SYSTEM_SENDER_ID}${crypto.randomUUID()}`, event, body, now);
      if (!message) throw new Error("a fresh system line id was taken");
      this.sql.exec("UPDATE members SET hub_stale = 1");
      for (const member of this.sql.exec<{ user_id: string }>("SELECT user_id FROM members").toArray()) {
        this.recountUnread(member.user_id);
      }
      return { message, wipedSeqs };
    });
    this.forgetMembers();
    this.groupCache = undefined;
    this.storedCache.delete(userId);
    return removed;
  }

  /**
   * The admins once `userId` is gone; with none left, the longest-standing member, by the Store's
   * own rule (joined first, then the smaller id), so the room shows whom the Store keeps as admin.
   */
  private adminsWithout(group: RoomGroup, userId: string): string[] {
    const admins = group.admins.filter((admin) => admin !== userId);
    if (admins.length > 0) return admins;
    const heir = this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM members ORDER BY visible_from_seq, user_id LIMIT 1")
      .toArray()[0];
    return heir ? [heir.user_id] : [];
  }

  private insertSystemLine(id: string, event: SystemEvent, body: string, now: number): Message | null {
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
    return row ? toMessage(this.conversationId() ?? "", row) : null;
  }

  private messageById(id: string): Message {
    const row = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).one();
    return toMessage(this.conversationId() ?? "", row);
  }

  /** Adds a member (seeing from `floor`) or renames one; a row that changes nothing is not written. */
  private upsertMember(member: Member, floor: number): void {
    this.sql.exec(
      `INSERT INTO members (user_id, username, visible_from_seq) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET username = excluded.username WHERE username != excluded.username`,
      member.id,
      member.username,
      floor,
    );
  }

  private forgetMembers(): void {
    this.memberCache = null;
    this.floorCache = null;
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
  append(
    clientId: string,
    senderId: string,
    body: string,
    sentAt: number,
    maxStoredChars: number,
    mentioned: string[] = [],
  ): Appended {
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
           mentioned_seq = CASE WHEN user_id IN (SELECT value FROM json_each(?)) THEN ? ELSE mentioned_seq END,
           hub_stale = 1`,
        senderId,
        inserted.seq,
        senderId,
        senderId,
        body.length,
        JSON.stringify(mentioned),
        inserted.seq,
      );
      if (stored !== undefined) this.storedCache.set(senderId, stored + body.length);
      const message = toMessage(conversationId, {
        seq: inserted.seq,
        id: clientId,
        sender_id: senderId,
        body,
        sent_at: sentAt,
        deleted: 0,
        system: null,
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

  /** Messages with seq greater than `afterSeq` (and at least `fromSeq`), oldest first, at most `limit`. */
  after(afterSeq: number, limit: number, fromSeq = 0): Message[] {
    const conversationId = this.conversationId() ?? "";
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
    const conversationId = this.conversationId() ?? "";
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
      .exec<{ user_id: string; unread: number; mentioned: number }>(
        "SELECT user_id, unread, mentioned_seq > read_seq AS mentioned FROM members WHERE hub_stale = 1",
      )
      .toArray()
      .map((row) => ({ userId: row.user_id, unread: row.unread, mentioned: row.mentioned === 1 }));
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

  /**
   * Only the messages after the reader's cursor are counted, those they may see: the rows that
   * are unread. Neither system lines nor deleted messages count.
   */
  private recountUnread(userId: string): void {
    this.sql.exec(
      `UPDATE members SET unread = (
         SELECT COUNT(*) FROM messages
         WHERE seq > members.read_seq AND seq >= members.visible_from_seq
           AND sender_id NOT IN (members.user_id, ?) AND deleted = 0
       ) WHERE user_id = ?`,
      SYSTEM_SENDER_ID,
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
  if (row.system) message.system = JSON.parse(row.system) as SystemEvent;
  return row.deleted ? { ...message, body: "", deleted: true } : message;
}
