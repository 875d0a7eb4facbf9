import { computed, signal } from "@preact/signals";
import type { Group, Message } from "../../../protocol/api";
import type { HubMessage } from "../../../protocol/wire";
import { ApiError, api } from "../net/api";
import type { GroupDeparture } from "./groups";
import { applyUnread, byActivity, notifiesInGroup, upsertGroup } from "./groups";
import type { Notifications } from "./notifications";
import type { Page } from "./page";
import { conversationPath, navigate, route } from "./route";
import { senderName } from "./sender-name";
import type { Session } from "./session";

const openId = () => {
  const current = route.peek();
  return current.name === "home" ? current.conversationId : null;
};

/**
 * The groups the person is in, kept live by the user hub (ConnectionsModel routes its frames
 * here), and what the person does to them. REST answers carry the whole new group.
 */
export class GroupList {
  readonly list = signal<Group[]>([]);
  readonly byId = computed(() => new Map(this.list.value.map((group) => [group.id, group])));
  /** Groups the person was removed from (or that went) while the screen was open. */
  readonly departures = signal<GroupDeparture[]>([]);
  /** Groups the person is leaving right now: their going is no news. */
  private readonly leaving = new Set<string>();

  constructor(
    private readonly session: Session,
    private readonly notifications: Notifications,
    private readonly page: Page,
  ) {}

  /** Fetches the list; a server without groups (404) has none. */
  async refresh(): Promise<void> {
    try {
      this.list.value = [...(await api.groups()).groups].sort(byActivity);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      this.list.value = [];
    }
  }

  upsert(group: Group): void {
    this.list.value = upsertGroup(this.list.peek(), group);
  }

  /** Applies a hub frame if it is about groups; false when it is not. */
  onFrame(frame: HubMessage): boolean {
    switch (frame.type) {
      case "group":
        this.upsert(frame.group);
        return true;
      case "group-removed":
        this.gone(frame.conversationId, frame.reason);
        return true;
      case "unread": {
        const before = this.byId.peek().get(frame.conversationId);
        if (!before) return false;
        if (frame.lastMessage && frame.unread > before.unread) this.maybeNotify(before, frame.lastMessage);
        this.list.value = applyUnread(this.list.peek(), frame);
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * The person is no longer in the group (the hub said so, or its room closed with 4003): off the
   * list, back to the list if it was open, and a word about it unless it was their own doing.
   */
  gone(conversationId: string, reason: "removed" | "left" | "deleted"): void {
    const group = this.byId.peek().get(conversationId);
    this.list.value = this.list.peek().filter((item) => item.id !== conversationId);
    const quiet =
      reason === "left" ||
      this.leaving.has(conversationId) ||
      this.departures.peek().some((item) => item.conversationId === conversationId);
    if (!quiet && group) {
      this.departures.value = [...this.departures.peek(), { conversationId, name: group.name, reason }];
    }
    if (openId() === conversationId) navigate("/", { replace: true });
  }

  dismiss(conversationId: string): void {
    this.departures.value = this.departures.peek().filter((item) => item.conversationId !== conversationId);
  }

  /** A message seen in the open group: its preview, and unread with a notification when the tab is hidden. */
  notePreview(message: Message): boolean {
    const group = this.byId.peek().get(message.conversationId);
    if (!group) return false;
    if (group.lastMessage && group.lastMessage.seq >= message.seq) return true;
    const me = this.session.user.peek();
    const unseen = message.senderId !== me?.id && !message.deleted && !this.page.visible.peek();
    if (unseen) this.maybeNotify(group, message);
    this.change(group.id, (current) => ({
      ...current,
      lastMessage: message,
      unread: unseen ? current.unread + 1 : current.unread,
    }));
    return true;
  }

  noteDeleted(conversationId: string, seq: number): boolean {
    const group = this.byId.peek().get(conversationId);
    if (!group) return false;
    const last = group.lastMessage;
    if (last?.seq === seq)
      this.change(conversationId, (item) => ({ ...item, lastMessage: { ...last, body: "", deleted: true } }));
    return true;
  }

  markRead(conversationId: string): boolean {
    const group = this.byId.peek().get(conversationId);
    if (!group) return false;
    if (group.unread > 0 || group.mentioned)
      this.change(conversationId, (item) => ({ ...item, unread: 0, mentioned: false }));
    return true;
  }

  /**
   * The person leaves (`call` asks the server): off the list and out of the chat, with no notice,
   * even when the hub's word of it comes before the answer.
   */
  async leave(groupId: string, call: () => Promise<unknown>): Promise<void> {
    this.leaving.add(groupId);
    try {
      await call();
      this.list.value = this.list.peek().filter((item) => item.id !== groupId);
      if (openId() === groupId) navigate("/", { replace: true });
    } finally {
      this.leaving.delete(groupId);
    }
  }

  private change(groupId: string, change: (group: Group) => Group): void {
    this.list.value = this.list
      .peek()
      .map((item) => (item.id === groupId ? change(item) : item))
      .sort(byActivity);
  }

  private maybeNotify(group: Group, message: Message): void {
    const me = this.session.user.peek();
    if (!me) return;
    const looking = this.page.visible.peek() && openId() === group.id;
    if (!notifiesInGroup(group, message, me, looking)) return;
    const sender = senderName(group, message.senderId);
    this.notifications.show(group.name, sender ? `${sender}: ${message.body}` : message.body, group.id, () =>
      navigate(conversationPath(group.id)),
    );
  }
}
