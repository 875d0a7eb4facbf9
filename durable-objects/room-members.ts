import { SYSTEM_SENDER_ID } from "../protocol/wire";

export interface Member {
  id: string;
  username: string;
}

/** What a member's hub should know of this conversation. */
export interface MemberActivity {
  userId: string;
  unread: number;
  /** A message after their read cursor mentions them. */
  mentioned: boolean;
}

/**
 * Only the messages after the reader's cursor are counted, those they may see: the rows that are
 * unread. Neither system lines (the bound sender) nor deleted messages count.
 */
const RECOUNT_UNREAD = `UPDATE members SET unread = (
  SELECT COUNT(*) FROM messages
  WHERE seq > members.read_seq AND seq >= members.visible_from_seq
    AND sender_id NOT IN (members.user_id, ?) AND deleted = 0
)`;

/**
 * The members (`members`), one row each with what is kept per member as messages arrive: read
 * cursor, unread counter, whether their hub is behind, stored characters, the first seq they may
 * see and the latest message that mentions them. Counters are kept, never counted per message.
 */
export class RoomMembers {
  /** The list and floors change only through this class; read per message, so kept in memory. */
  private listCache: Member[] | null = null;
  /** Per member, the first seq they may see (0 in a one-to-one conversation). */
  private floorCache: Map<string, number> | null = null;
  /** Each sender's stored characters, read once per wake: the budget is checked per message without a query. */
  private readonly storedCache = new Map<string, number>();

  constructor(private readonly sql: SqlStorage) {}

  /** Drops what is cached: after `deleteAll()`, or a write that rolled back. */
  forget(): void {
    this.forgetRows();
    this.storedCache.clear();
  }

  all(): Member[] {
    this.listCache ??= this.sql
      .exec<{ user_id: string; username: string }>("SELECT user_id, username FROM members ORDER BY username")
      .toArray()
      .map((row) => ({ id: row.user_id, username: row.username }));
    return this.listCache;
  }

  ids(): string[] {
    return this.all().map((member) => member.id);
  }

  includes(userId: string): boolean {
    return this.all().some((member) => member.id === userId);
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

  /** Adds a member (seeing from `floor`) or renames one; a row that changes nothing is not written. */
  upsert(member: Member, floor: number): void {
    this.sql.exec(
      `INSERT INTO members (user_id, username, visible_from_seq) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET username = excluded.username WHERE username != excluded.username`,
      member.id,
      member.username,
      floor,
    );
    this.forgetRows();
  }

  /** Where a member's history starts: the line that added them. */
  setVisibleFrom(userId: string, seq: number): void {
    this.sql.exec("UPDATE members SET visible_from_seq = ? WHERE user_id = ?", seq, userId);
    this.forgetRows();
  }

  remove(userId: string): void {
    this.sql.exec("DELETE FROM members WHERE user_id = ?", userId);
    this.forgetRows();
  }

  /** Forgets an ended member's stored characters: a new account under the same id starts from its row. */
  forgetStored(userId: string): void {
    this.storedCache.delete(userId);
  }

  /** The longest-standing member, by the Store's own rule (joined first, then the smaller id). */
  longestStanding(): string | null {
    return (
      this.sql
        .exec<{ user_id: string }>("SELECT user_id FROM members ORDER BY visible_from_seq, user_id LIMIT 1")
        .toArray()[0]?.user_id ?? null
    );
  }

  /** Characters of message bodies the member stored here; undefined for someone with no row. */
  storedChars(userId: string): number | undefined {
    const known = this.storedCache.get(userId);
    if (known !== undefined) return known;
    const stored = this.sql
      .exec<{ stored_chars: number }>("SELECT stored_chars FROM members WHERE user_id = ?", userId)
      .toArray()[0]?.stored_chars;
    if (stored !== undefined) this.storedCache.set(userId, stored);
    return stored;
  }

  /**
   * What a new message changes, in one statement: the sender's read cursor and stored characters,
   * everyone else's unread counter, the mentioned members' latest mention, every hub behind.
   */
  recordSend(senderId: string, seq: number, chars: number, mentioned: string[]): void {
    this.sql.exec(
      `UPDATE members SET
         read_seq = CASE WHEN user_id = ? THEN ? ELSE read_seq END,
         unread = CASE WHEN user_id = ? THEN 0 ELSE unread + 1 END,
         stored_chars = CASE WHEN user_id = ? THEN stored_chars + ? ELSE stored_chars END,
         mentioned_seq = CASE WHEN user_id IN (SELECT value FROM json_each(?)) THEN ? ELSE mentioned_seq END,
         hub_stale = 1`,
      senderId,
      seq,
      senderId,
      senderId,
      chars,
      JSON.stringify(mentioned),
      seq,
    );
    const stored = this.storedCache.get(senderId);
    if (stored !== undefined) this.storedCache.set(senderId, stored + chars);
  }

  readCursors(): Record<string, number> {
    const cursors: Record<string, number> = {};
    for (const row of this.sql.exec<{ user_id: string; read_seq: number }>("SELECT user_id, read_seq FROM members")) {
      if (row.read_seq > 0) cursors[row.user_id] = row.read_seq;
    }
    return cursors;
  }

  /** Moves a read cursor forward to `upTo`, never back; false when it did not move. */
  advanceRead(userId: string, upTo: number): boolean {
    const moved = this.sql
      .exec(
        "UPDATE members SET read_seq = ?, hub_stale = 1 WHERE user_id = ? AND read_seq < ? RETURNING user_id",
        upTo,
        userId,
        upTo,
      )
      .toArray();
    if (moved.length === 0) return false;
    this.recountUnread(userId);
    return true;
  }

  /** Recounts one member's unread counter from the rows (after a cursor moved or messages were wiped). */
  recountUnread(userId: string): void {
    this.sql.exec(`${RECOUNT_UNREAD} WHERE user_id = ?`, SYSTEM_SENDER_ID, userId);
  }

  recountAllUnread(): void {
    this.sql.exec(RECOUNT_UNREAD, SYSTEM_SENDER_ID);
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

  /** Every member's hub should hear of a change to the conversation. */
  markAllHubsStale(): void {
    this.sql.exec("UPDATE members SET hub_stale = 1");
  }

  markHubsCurrent(userIds: string[]): void {
    for (const userId of userIds) this.sql.exec("UPDATE members SET hub_stale = 0 WHERE user_id = ?", userId);
  }

  markHubsStale(userIds: string[]): void {
    for (const userId of userIds) this.sql.exec("UPDATE members SET hub_stale = 1 WHERE user_id = ?", userId);
  }

  private forgetRows(): void {
    this.listCache = null;
    this.floorCache = null;
  }
}
