import type { Chat } from "../models/chat";
import { seenByText, splitMentions } from "../models/group-chat";
import type { GroupView } from "../models/group-view";
import type { GroupParts } from "./MessageList";

/** What a group adds to its message list (MessageList.tsx), from the group's view of the room. */
export function groupParts(chat: Chat, view: GroupView, myName: string): GroupParts {
  const members = chat.members.value;
  const names = new Set(members.map((member) => member.username));
  const seen = view.seenBy.value;
  return {
    name: view.groupName.value,
    sender: (senderId) => chat.nameOf(senderId) ?? "someone who left",
    text: (text) =>
      splitMentions(text, names).map((piece, at) =>
        piece.mention ? (
          <mark key={at} class={piece.mention === myName ? "mention mention--me" : "mention"}>
            {piece.text}
          </mark>
        ) : (
          piece.text
        ),
      ),
    seenBy: seen && {
      messageId: seen.messageId,
      item: <SeenBy key="seen-by" names={seen.readers.map((reader) => reader.username)} />,
    },
  };
}

/** "Seen by 3" under the person's latest message someone read; the names on hover and on focus. */
function SeenBy({ names }: { names: string[] }) {
  const all = `Seen by ${names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0]}`;
  return (
    <li class="seen-by">
      {/* Focusable, so a keyboard reaches the names the pointer gets from the title. */}
      <span class="seen-by__text" tabIndex={0} title={all}>
        <span aria-hidden="true">{seenByText(names)}</span>
        <span class="sr-only">{all}</span>
      </span>
    </li>
  );
}
