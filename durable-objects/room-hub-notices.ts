import { log } from "../server/log";
import { hubFor } from "./addresses";
import type { ConversationLog } from "./room-log";
import type { HibernatingSockets } from "./sockets";

/** Members' hubs hear at most this often per conversation, the latest state only. */
export const HUB_NOTICE_DELAY_MS = 250;
const HUB_RETRY_DELAY_MS = 5_000;

/**
 * What a room tells its members' hubs: the latest state of the conversation (last message, their
 * unread count), only to members with no socket here, coalesced through the room's alarm. A member
 * who is here gets every message from the room; their hub catches up when they leave (a message
 * costs no cross-object call when everyone is present: docs/architecture.md, the message path's budget).
 */
export class HubNotices {
  constructor(
    private readonly env: Env,
    private readonly conversation: ConversationLog,
    private readonly sockets: HibernatingSockets,
    /** Sets the room's `notify-hubs` job no later than `due`. */
    private readonly scheduleBy: (due: number) => void,
    private readonly waitUntil: (work: Promise<unknown>) => void,
  ) {}

  /** The hubs of absent members hear of the change a little later, coalesced. */
  soon(now: number): void {
    if (this.someMemberAbsent()) this.scheduleBy(now + HUB_NOTICE_DELAY_MS);
  }

  /** The last message was deleted: every hub shows the conversation anew. */
  lastMessageDeleted(now: number): void {
    this.conversation.members.markAllHubsStale();
    this.scheduleBy(now + HUB_NOTICE_DELAY_MS);
  }

  /** A member's last socket left: their hub heard nothing while they were here, so it catches up now. */
  memberLeft(userId: string, now: number): void {
    if (this.conversation.members.staleHubs().some((member) => member.userId === userId)) {
      this.scheduleBy(now + HUB_NOTICE_DELAY_MS);
    }
  }

  /**
   * Members with no socket here see typing in their list, through their hub; within the same
   * budget. Not in a group: a keystroke would cost a call per absent member.
   */
  typing(userId: string, on: boolean): void {
    const conversationId = this.conversation.meta.conversationId();
    if (!conversationId || this.conversation.meta.group()) return;
    for (const member of this.conversation.members.all()) {
      if (member.id === userId || this.sockets.ofUser(member.id).length > 0) continue;
      this.waitUntil(
        hubFor(this.env, member.id)
          .peerTyping(conversationId, userId, on)
          .catch((error: unknown) => log("warn", "typing_notice_failed", {}, error)),
      );
    }
  }

  /** The alarm's job: at most once per HUB_NOTICE_DELAY_MS however many messages came in between. */
  async send(): Promise<void> {
    const { meta, members, messages } = this.conversation;
    const conversationId = meta.conversationId();
    if (!conversationId) return;
    const present = this.sockets.presentUsers();
    const due = members.staleHubs().filter((member) => !present.has(member.userId));
    if (due.length === 0) return;
    const lastMessage = messages.lastMessage();
    const group = meta.group() !== null;
    members.markHubsCurrent(due.map((member) => member.userId));
    const results = await Promise.allSettled(
      due.map((member) =>
        hubFor(this.env, member.userId).conversationActivity({
          conversationId,
          lastMessage,
          unread: member.unread,
          ...(group ? { mentioned: member.mentioned } : {}),
        }),
      ),
    );
    const failed = due.filter((_, index) => results[index]?.status === "rejected");
    if (failed.length === 0) return;
    log("warn", "hub_notices_failed", { failed: failed.length, retryInMs: HUB_RETRY_DELAY_MS });
    // The next change or this retry carries the latest state: notices are idempotent.
    members.markHubsStale(failed.map((member) => member.userId));
    this.scheduleBy(Date.now() + HUB_RETRY_DELAY_MS);
  }

  private someMemberAbsent(): boolean {
    return this.conversation.members.all().some((member) => this.sockets.ofUser(member.id).length === 0);
  }
}
