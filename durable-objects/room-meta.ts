/** A group's name and who manages it, as its room keeps them; absent for a one-to-one conversation. */
export interface RoomGroup {
  name: string;
  admins: string[];
}

/**
 * The room's facts kept as keys and values (`meta`): which conversation it is, whether it is a
 * request, the group's state and the archive watermark. Those read per message are cached.
 */
export class RoomMeta {
  private idCache: string | null = null;
  private pendingCache: string | null = null;
  private groupCache: RoomGroup | null | undefined = undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** Drops what is cached: after `deleteAll()`, or a write that rolled back. */
  forget(): void {
    this.idCache = null;
    this.pendingCache = null;
    this.groupCache = undefined;
  }

  conversationId(): string | null {
    this.idCache ??= this.get("conversation_id");
    return this.idCache;
  }

  setConversationId(conversationId: string): void {
    this.set("conversation_id", conversationId);
    this.idCache = conversationId;
  }

  /** While the conversation is a request not yet accepted: who asked; else null. */
  pendingFrom(): string | null {
    this.pendingCache ??= this.get("pending_from") ?? "";
    return this.pendingCache || null;
  }

  setPendingFrom(userId: string | null): void {
    this.set("pending_from", userId ?? "");
    this.pendingCache = userId ?? "";
  }

  /** A group's name and admins; null for a one-to-one conversation. */
  group(): RoomGroup | null {
    if (this.groupCache === undefined) {
      const raw = this.get("group");
      this.groupCache = raw ? (JSON.parse(raw) as RoomGroup) : null;
    }
    return this.groupCache;
  }

  setGroup(group: RoomGroup): void {
    this.set("group", JSON.stringify(group));
    this.groupCache = group;
  }

  /** The Store's version of the group the room last took (`GroupRecord.version`); -1 before any. */
  groupVersion(): number {
    return Number(this.get("group_version") ?? -1);
  }

  setGroupVersion(version: number): void {
    this.set("group_version", String(version));
  }

  /** Every message up to this seq is in the archive. */
  archivedThrough(): number {
    return Number(this.get("archived_through_seq") ?? 0);
  }

  setArchivedThrough(seq: number): void {
    this.set("archived_through_seq", String(seq));
  }

  private get(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private set(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}
