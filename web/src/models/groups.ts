/** What groups show, worked out from what the server says: no signals, no DOM. */
import type { Connection, Group, Message } from "../../../protocol/api";
import { mentionedNames } from "../../../protocol/groups";
import type { HubMessage } from "../../../protocol/wire";
import { SYSTEM_SENDER_ID } from "../../../protocol/wire";

type Person = { id: string; username: string };

/** A group that left the list while the screen was open, kept to say so until dismissed. */
export interface GroupDeparture {
  conversationId: string;
  name: string;
  reason: "removed" | "deleted";
}

export function groupDepartureNotice(departure: GroupDeparture): string {
  return departure.reason === "removed"
    ? `You were removed from “${departure.name}”.`
    : `“${departure.name}” was deleted.`;
}

/** One row of the list: a connection or a group, with the time it last had something new. */
export type ListEntry =
  | { kind: "connection"; id: string; at: string; item: Connection }
  | { kind: "group"; id: string; at: string; item: Group };

/** A group's last activity: its last message, else when it was made (a new group goes on top). */
export function groupActivity(group: Group): string {
  return group.lastMessage?.sentAt ?? group.createdAt;
}

/** Connections and groups in one list, most recent activity first; ties keep the given order. */
export function mergeByActivity(connections: readonly Connection[], groups: readonly Group[]): ListEntry[] {
  const entries: ListEntry[] = [
    ...groups.map((item): ListEntry => ({ kind: "group", id: item.id, at: groupActivity(item), item })),
    ...connections.map(
      (item): ListEntry => ({ kind: "connection", id: item.conversationId, at: item.lastMessage?.sentAt ?? "", item }),
    ),
  ];
  return entries.sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1));
}

export function byActivity(a: Group, b: Group): number {
  const at = groupActivity(a);
  const bt = groupActivity(b);
  return at === bt ? 0 : at < bt ? 1 : -1;
}

/** The list with this group new or replaced. */
export function upsertGroup(list: readonly Group[], group: Group): Group[] {
  return [group, ...list.filter((item) => item.id !== group.id)].sort(byActivity);
}

/** The list after a hub `unread` frame about one of its groups; the same list when it is not one. */
export function applyUnread(list: readonly Group[], frame: Extract<HubMessage, { type: "unread" }>): Group[] {
  if (!list.some((item) => item.id === frame.conversationId)) return list as Group[];
  return list
    .map((item) =>
      item.id === frame.conversationId
        ? {
            ...item,
            unread: frame.unread,
            lastMessage: frame.lastMessage ?? item.lastMessage,
            mentioned: frame.unread > 0 && (frame.mentioned ?? item.mentioned),
          }
        : item,
    )
    .sort(byActivity);
}

/** Whether the text names `username` with `@`, by the rule the server counts `mentioned` by. */
export function mentions(text: string, username: string): boolean {
  return mentionedNames(text).has(username.toLowerCase());
}

/**
 * Whether a new group message is worth a notification: not the person's own, not a system line,
 * not in a chat they are looking at; in a muted group only when it mentions them.
 */
export function notifiesInGroup(group: Group, message: Message, me: Person, looking: boolean): boolean {
  if (message.deleted || message.senderId === me.id || message.senderId === SYSTEM_SENDER_ID || looking) return false;
  return !group.muted || mentions(message.body, me.username);
}
