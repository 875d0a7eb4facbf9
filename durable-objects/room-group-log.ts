import type { Message } from "../protocol/api";
import { SYSTEM_SENDER_ID, type SystemEvent } from "../protocol/wire";
import type { ConversationLog } from "./room-log";
import type { Member } from "./room-members";
import type { RoomGroup } from "./room-meta";

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

/**
 * A group's writes to its room's log: each change is one transaction that writes the system line
 * telling it together with the state it tells (name, admins, members and where each may read from).
 */
export class GroupLog {
  constructor(private readonly log: ConversationLog) {}

  /**
   * Applies a group change in one transaction: the name and admins, the system line, the new
   * members (who see history from that line on), and the rows of members who are gone.
   */
  change(change: GroupChange, conversationId: string, now: number): GroupChanged {
    const { meta, messages, members } = this.log;
    // One saved version may be told in several lines (a leave and the admin it made): one id each.
    const key = change.version === undefined ? crypto.randomUUID() : `v${change.version}:${change.event.event}`;
    const id = `${SYSTEM_SENDER_ID}${key}`;
    return this.log.transaction((): GroupChanged => {
      // `created` may be the first the room hears of the conversation.
      meta.setConversationId(conversationId);
      const inserted = messages.insertSystemLine(id, change.event, change.body, now);
      if (!inserted) return { message: messages.byId(id), removed: [], repeated: true };
      // An older change that arrives late tells its line, but the state is already newer.
      if (change.version !== undefined && change.version < meta.groupVersion()) {
        members.markAllHubsStale();
        return { message: inserted, removed: [], repeated: false };
      }
      if (change.version !== undefined) meta.setGroupVersion(change.version);
      meta.setGroup(change.group);
      const kept = new Set(change.members.map((member) => member.id));
      const removed = members.ids().filter((memberId) => !kept.has(memberId));
      for (const memberId of removed) members.remove(memberId);
      const joined = new Set(
        change.event.event === "added" || change.event.event === "created"
          ? change.event.targets.map((target) => target.id)
          : [],
      );
      for (const member of change.members) {
        members.upsert(member, inserted.seq);
        // Added again (or their row came first from a socket): history starts at this line.
        if (joined.has(member.id)) members.setVisibleFrom(member.id, inserted.seq);
      }
      members.markAllHubsStale();
      return { message: inserted, removed, repeated: false };
    });
  }

  /**
   * A member's account ended: their messages are wiped for everyone, their row goes, and a line
   * says so, in one transaction. Null when they are not a member (already ended: a repeat).
   */
  endMember(userId: string, event: SystemEvent, body: string, now: number, wipedShown: number): MemberRemoved | null {
    const { meta, messages, members } = this.log;
    if (members.visibleFrom(userId) === null) return null;
    const removed = this.log.transaction((): MemberRemoved => {
      const wipedSeqs = messages.wipeSender(userId, wipedShown);
      members.remove(userId);
      const group = meta.group();
      if (group) meta.setGroup({ ...group, admins: this.adminsWithout(group, userId) });
      const message = messages.insertSystemLine(`${SYSTEM_SENDER_ID}${crypto.randomUUID()}`, event, body, now);
      if (!message) throw new Error("a fresh system line id was taken");
      members.markAllHubsStale();
      members.recountAllUnread();
      return { message, wipedSeqs };
    });
    members.forgetStored(userId);
    return removed;
  }

  /**
   * The admins once `userId` is gone; with none left, the longest-standing member, by the Store's
   * own rule, so the room shows whom the Store keeps as admin.
   */
  private adminsWithout(group: RoomGroup, userId: string): string[] {
    const admins = group.admins.filter((admin) => admin !== userId);
    if (admins.length > 0) return admins;
    const heir = this.log.members.longestStanding();
    return heir ? [heir] : [];
  }
}
