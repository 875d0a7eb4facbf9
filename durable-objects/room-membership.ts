import type { Message } from "../protocol/api";
import { describeSystemEvent, mentionedNames } from "../protocol/groups";
import {
  type AccountEndReason,
  CLOSE_ACCOUNT_ENDED,
  CLOSE_CONVERSATION_ENDED,
  type ServerMessage,
  type SystemEvent,
  WIRE_LIMITS,
} from "../protocol/wire";
import { GroupLog } from "./room-group-log";
import type { HubNotices } from "./room-hub-notices";
import type { ConversationLog } from "./room-log";
import type { Member } from "./room-members";
import type { RoomGroup } from "./room-meta";
import type { TypingAndReceipts } from "./room-typing-receipts";
import type { HibernatingSockets } from "./sockets";

/** `deleted` frames sent at most when a member's account ends: their newest messages, those likely on screen. */
const WIPED_FRAMES_MAX = WIRE_LIMITS.replayPage;

/** Whose account ended, when a conversation is destroyed because of it. */
export interface EndedMember {
  userId: string;
  reason: AccountEndReason;
}

/** A change to a group, sent by the Worker once the Store saved it (`created` included). */
export interface GroupChangeInput {
  conversationId: string;
  group: RoomGroup;
  /** Everyone in the group after the change. */
  members: Member[];
  event: SystemEvent;
  /** Why members no longer listed lose the room (the close reason of their 4003); `removed` by default. */
  closeReason?: "removed" | "left";
  /**
   * The group's version after the change (`GroupRecord.version`), when known: a retried call then
   * adds no second line, and an older change arriving after a newer one leaves the members alone.
   */
  version?: number;
}

/** What a member's ending left: who is still here, and whether they were the last. */
export interface MemberEndedOutcome {
  remaining: string[];
  /** This ending removed the last member: the room should be destroyed. */
  emptied: boolean;
}

/**
 * Who belongs in a room and what they hear when that changes: a group change or an ended account
 * is told by a system line and a members frame, and whoever lost the room loses their sockets.
 * Also whom a message mentions, which only a group keeps.
 */
export class RoomMembership {
  private readonly groupLog: GroupLog;

  constructor(
    private readonly conversation: ConversationLog,
    private readonly sockets: HibernatingSockets,
    private readonly signals: TypingAndReceipts,
    private readonly hubs: HubNotices,
  ) {
    this.groupLog = new GroupLog(conversation);
  }

  /**
   * In one transaction the room takes the new name, admins and members and writes the line that
   * tells it; members no longer listed lose their sockets at once. Then every socket hears the
   * line and the new member list.
   */
  applyGroupChange(change: GroupChangeInput, now: number): Message {
    const changed = this.groupLog.change(
      { ...change, body: describeSystemEvent(change.event) },
      change.conversationId,
      now,
    );
    if (changed.repeated) return changed.message;
    const reason = change.closeReason ?? "removed";
    for (const userId of changed.removed) this.drop(userId, CLOSE_CONVERSATION_ENDED, reason);
    this.sockets.broadcast({ type: "message", message: changed.message });
    this.sockets.broadcast(this.membersFrame());
    this.hubs.soon(now);
    return changed.message;
  }

  /**
   * A member's account ended: their sockets close, their messages here are wiped for everyone and
   * a line says so. A repeat changes nothing.
   */
  memberEnded(ended: EndedMember, now: number): MemberEndedOutcome {
    const member = this.conversation.members.all().find((candidate) => candidate.id === ended.userId);
    if (!member) return { remaining: this.conversation.members.ids(), emptied: false };
    const event: SystemEvent = { event: "account-ended", actor: null, targets: [member] };
    const removed = this.groupLog.endMember(member.id, event, describeSystemEvent(event), now, WIPED_FRAMES_MAX);
    this.drop(member.id, CLOSE_ACCOUNT_ENDED, ended.reason);
    const remaining = this.conversation.members.ids();
    // Nobody left to tell: the room is about to be destroyed.
    if (remaining.length === 0) return { remaining, emptied: true };
    if (!removed) return { remaining, emptied: false };
    for (const seq of removed.wipedSeqs) this.sockets.broadcast({ type: "deleted", seq });
    this.sockets.broadcast({ type: "message", message: removed.message });
    this.sockets.broadcast(this.membersFrame());
    this.hubs.soon(now);
    return { remaining, emptied: false };
  }

  /** In a group, the members other than the sender whom the body mentions as `@username`. */
  mentionsIn(body: string, senderId: string): string[] {
    if (!this.conversation.meta.group() || !body.includes("@")) return [];
    const names = mentionedNames(body);
    return this.conversation.members
      .all()
      .filter((member) => member.id !== senderId && names.has(member.username.toLowerCase()))
      .map((member) => member.id);
  }

  /** A group's whole new state, after the line that tells the change. */
  private membersFrame(): ServerMessage {
    const present = this.sockets.presentUsers();
    return {
      type: "members",
      members: this.conversation.members.all().map((member) => ({ ...member, online: present.has(member.id) })),
      group: this.conversation.meta.group() ?? { name: "", admins: [] },
    };
  }

  /** Closes a user's sockets here for good, with what their typing left behind. */
  private drop(userId: string, code: number, reason: string): void {
    for (const ws of this.sockets.ofUser(userId)) this.sockets.close(ws, code, reason);
    this.signals.dropped(userId);
  }
}
