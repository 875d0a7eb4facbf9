import { computed, signal } from "@preact/signals";
import type { ChatSocket } from "./chat-socket";
import type { LiveList } from "./live-list";
import type { Opened } from "./opened";
import { senderName } from "./sender-name";

type Member = { id: string; username: string; online: boolean };

/**
 * Who the open chat is with: the contact (and whether a message request stands between them) or
 * the group, the members its room lists with their presence, and their names.
 */
export function chatMembers(opened: Opened, connections: LiveList, { model: { socketState }, on }: ChatSocket) {
  const connection = opened.connection;
  /** The group, as the list knows it; null for a one-to-one chat. */
  const group = opened.group;
  const members = signal<Member[]>([]);
  /** The group's name and admins as its room last said (hello, then `members` frames). */
  const roomGroup = signal<{ name: string; admins: string[] } | null>(null);
  /** While a message request is unanswered, who asked; null between contacts. */
  const request = computed(() => (connection.value?.status === "pending" ? connection.value.direction : null));

  /** A member's name: from the room, or else from the group as the list knows it. */
  const nameOf = (userId: string): string | null =>
    members.value.find((member) => member.id === userId)?.username ?? senderName(group.value, userId);

  on("hello", (frame) => {
    members.value = frame.members;
    if (frame.group) roomGroup.value = frame.group;
  });
  on("members", (frame) => {
    members.value = frame.members;
    roomGroup.value = frame.group;
  });
  on("presence", (frame) => {
    members.value = members.value.map((member) =>
      member.id === frame.userId ? { ...member, online: frame.online } : member,
    );
  });

  return {
    /** What the chat model shows of who the chat is with. */
    model: {
      connection,
      group,
      /** In a group: its name and admins as the room last said them (group-view.ts reads them). */
      roomGroup,
      members,
      request,
      /** Presence is known while either socket is up; else the last word may be stale. */
      presenceKnown: computed(() => socketState.value === "open" || (connections.value?.presenceKnown.value ?? false)),
      /** Global presence (hub), or in this room right now; nothing shows while a request is pending (API.md). */
      otherOnline: computed(() => {
        if (request.value !== null) return false;
        const other = connection.value?.user.id;
        return Boolean(
          connection.value?.online || members.value.some((member) => member.id === other && member.online),
        );
      }),
      nameOf,
    },
  };
}

export type ChatMembers = ReturnType<typeof chatMembers>["model"];
