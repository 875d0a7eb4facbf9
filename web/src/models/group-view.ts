import { computed, createModel } from "@preact/signals";
import type { User } from "../../../protocol/api";
import type { Chat } from "./chat";
import { seenByLine, typingSentence } from "./group-chat";

/**
 * What an open group shows beyond any chat: its name and admins, who is typing by name, and who
 * has seen the person's latest message. Made by the group's own chunk (GroupChat.tsx), so a
 * one-to-one chat carries none of it.
 */
export const GroupViewModel = createModel((chat: Chat, me: User) => {
  const groupName = computed(() => chat.roomGroup.value?.name ?? chat.group.value?.name ?? "");
  const admins = computed(
    () =>
      chat.roomGroup.value?.admins ??
      chat.group.value?.members.filter((member) => member.admin).map((member) => member.id) ??
      [],
  );
  return {
    groupName,
    admins,
    isAdmin: computed(() => admins.value.includes(me.id)),
    /** "ann and bob are typing…"; null when nobody is. */
    typingText: computed(() => typingSentence([...chat.typingIds.value].map((id) => chat.nameOf(id) ?? "someone"))),
    /** "Seen by": under the person's latest message someone else has read. */
    seenBy: computed(() => seenByLine(chat.messages.value, chat.readUpTo.value, chat.members.value, me.id)),
  };
});

export type GroupView = InstanceType<typeof GroupViewModel>;
