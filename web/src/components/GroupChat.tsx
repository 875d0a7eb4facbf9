import { useModel } from "@preact/signals";
import { useState } from "preact/hooks";
import { errorMessage } from "../errors";
import type { ChatContext } from "../models/chat";
import { ChatModel } from "../models/chat";
import { membersLine } from "../models/group-chat";
import { GroupViewModel } from "../models/group-view";
import { whenListed } from "../models/live-list";
import type { Opened } from "../models/opened";
import { groupApi } from "../net/group-api";
import { groupDialogs } from "../screens";
import { Avatar } from "./Avatar";
import { ChatBar, Notice } from "./ChatParts";
import { Composer } from "./Composer";
import { ConnectionStatus } from "./ConnectionStatus";
import { groupParts } from "./GroupMessages";
import { BellIcon, Icon } from "./icons";
import { Lazy } from "./Lazy";
import { ConfirmDialog } from "./LazyConfirmDialog";
import { MessageList } from "./MessageList";

const MembersIcon = () => (
  <Icon>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6.5 6.5 0 0 1 3.5 6" />
  </Icon>
);

const MutedIcon = () => (
  <Icon>
    <path d="M6 16V11a6 6 0 0 1 9.5-4.9M18 11v5l2 2H8M10 20a2 2 0 0 0 4 0M4 4l16 16" />
  </Icon>
);

const LeaveIcon = () => (
  <Icon>
    <path d="M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4M15 17l5-5-5-5M20 12H9" />
  </Icon>
);

type Props = { conversationId: string; context: ChatContext; opened: Opened };

/** An open group: its name, who is in it and online, typing in words, and the way to manage it. */
export function GroupChat({ conversationId, context, opened }: Props) {
  const chat = useModel(() => new ChatModel(conversationId, context, opened));
  const view = useModel(() => new GroupViewModel(chat, context.me));
  const { me, connections } = context;
  /** The list's model: on a direct link it comes a moment after the chat. */
  const list = connections.value;
  const group = chat.group.value;
  const name = view.groupName.value;
  const members = chat.members.value;
  const total = members.length || group?.members.length || 0;
  const online = members.filter((member) => member.online).length;
  const typing = view.typingText.value;
  const muted = group?.muted ?? false;
  const [open, setOpen] = useState<"members" | "leave" | null>(null);
  const status = typing ?? (chat.presenceKnown.value ? membersLine(total, online) : `${total} members`);

  const toggleMute = async () => {
    try {
      const changed = (await groupApi.mute(conversationId, !muted)).group;
      const live = connections.peek();
      if (live) live.groups.upsert(changed);
      else opened.noteGroup(changed);
    } catch (failure) {
      chat.notice.value = errorMessage(failure);
    }
  };

  return (
    <div class="chat chat--group">
      <ChatBar>
        <Avatar name={name} />
        <div class="chat__who">
          <h2 class="chat__title">
            <bdi>{name}</bdi>
          </h2>
          <p class={typing ? "chat__status chat__status--typing" : "chat__status"} aria-live="polite">
            {status}
          </p>
        </div>
        <ConnectionStatus state={chat.socketState.value} class="chat__conn" />
        <button
          class="icon-button"
          type="button"
          aria-label="Members"
          title="Members"
          aria-haspopup="dialog"
          onClick={() => setOpen("members")}
        >
          <MembersIcon />
        </button>
        <button
          class="icon-button"
          type="button"
          aria-label="Mute notifications"
          aria-pressed={muted}
          title={muted ? "Muted: only mentions notify. Unmute" : "Mute: only mentions notify"}
          onClick={() => void toggleMute()}
        >
          {muted ? <MutedIcon /> : <BellIcon />}
        </button>
        <button
          class="icon-button icon-button--danger"
          type="button"
          aria-label="Leave group"
          title="Leave group"
          onClick={() => setOpen("leave")}
        >
          <LeaveIcon />
        </button>
      </ChatBar>
      <Notice chat={chat} departure={undefined} />
      {open === "leave" && (
        <ConfirmDialog
          title={`Leave “${name}”?`}
          confirmLabel="Leave"
          busyLabel="Leaving…"
          onConfirm={async () => {
            const live = await whenListed(connections);
            await live.groups.leave(conversationId, () => groupApi.removeMember(conversationId, me.id));
            // The chat is gone: focus goes to the list, not to the page.
            document.querySelector<HTMLElement>(".pane--list")?.focus();
          }}
          onClose={() => setOpen(null)}
        >
          <p>You will no longer get its messages, and its history goes from your list. An admin can add you again.</p>
        </ConfirmDialog>
      )}
      {open === "members" && list && (
        <Lazy chunk={groupDialogs} fallback={null}>
          {(dialogs) => (
            <dialogs.MembersDialog
              chat={chat}
              view={view}
              groupId={conversationId}
              me={me.id}
              groups={list.groups}
              contacts={list.contacts.value.filter((item) => item.status === "accepted")}
              onClose={() => setOpen(null)}
            />
          )}
        </Lazy>
      )}
      <MessageList chat={chat} me={me.id} group={groupParts(chat, view, me.username)} />
      <Composer chat={chat} other={name} />
    </div>
  );
}
