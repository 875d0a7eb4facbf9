import { useModel } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { formatLastSeen } from "../format";
import type { Chat, ChatContext } from "../models/chat";
import { ChatModel } from "../models/chat";
import type { Departure } from "../models/connections";
import { CONVERSATION_DELETED, departureNotice } from "../models/connections";
import { goBackTo } from "../models/route";
import { Avatar } from "./Avatar";
import { Composer } from "./Composer";
import { ConnectionStatus } from "./ConnectionStatus";
import { BackIcon, DownloadIcon } from "./icons";
import { MessageList } from "./MessageList";

type Props = { conversationId: string; context: ChatContext };

/** The open conversation, once the list confirms it is one of ours. */
export function ChatWindow(props: Props) {
  const { conversationId, context } = props;
  const { connections } = context;
  const connection = connections.byConversation.value.get(conversationId);
  if (connection) return <OpenChat {...props} />;
  const departure = connections.departure(conversationId);
  if (departure)
    return <EndedChat departure={departure} dismiss={() => connections.dismissDeparture(conversationId)} />;
  return (
    <div class="chat">
      <ChatBar>
        <span class="chat__title">{connections.loaded.value ? "Conversation not found" : "Loading…"}</span>
      </ChatBar>
      {connections.loaded.value && (
        <div class="empty">
          <p>This conversation is not in your list. It may have been removed.</p>
        </div>
      )}
    </div>
  );
}

/** A conversation that ended while it was open: what happened, in place of the chat, and nothing of it. */
function EndedChat({ departure, dismiss }: { departure: Departure; dismiss: () => void }) {
  return (
    <div class="chat">
      <ChatBar>
        <span class="chat__title">{departure.username || "Conversation ended"}</span>
      </ChatBar>
      <div class="empty">
        <div class="ended" role="alert">
          <p>{departureNotice(departure)}</p>
          <button class="button button--small" type="button" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      </div>
    </div>
  );
}

function OpenChat({ conversationId, context }: Props) {
  const chat = useModel(() => new ChatModel(conversationId, context));
  const { me, connections } = context;
  const other = chat.connection.value?.user.username ?? "";
  const known = chat.presenceKnown.value;
  const online = chat.otherOnline.value;
  const typing = chat.otherTyping.value;
  const lastSeenAt = chat.connection.value?.lastSeenAt;
  const [saving, setSaving] = useState(false);
  const status = typing ? "typing" : !known ? "unknown" : online ? "online" : "offline";
  const statusText = {
    typing: "typing…",
    unknown: "status unknown",
    online: "online",
    offline: lastSeenAt ? formatLastSeen(lastSeenAt) : "offline",
  }[status];

  const download = async () => {
    setSaving(true);
    await chat.download();
    setSaving(false);
  };

  return (
    <div class="chat">
      <ChatBar>
        <Avatar name={other} online={known ? online : null} />
        <div class="chat__who">
          <h2 class="chat__title">
            <bdi>{other}</bdi>
          </h2>
          <p
            class={`chat__status chat__status--${status}`}
            aria-live="polite"
            title={status === "unknown" ? "Shown again once you are connected" : undefined}
          >
            {statusText}
          </p>
        </div>
        <ConnectionStatus state={chat.socketState.value} class="chat__conn" />
        <button
          class="icon-button"
          type="button"
          aria-label="Download conversation"
          title="Download conversation"
          disabled={saving}
          onClick={() => void download()}
        >
          <DownloadIcon />
        </button>
      </ChatBar>
      <Notice chat={chat} departure={connections.departure(conversationId)} />
      <MessageList chat={chat} me={me.id} />
      <Composer chat={chat} other={other} />
    </div>
  );
}

/** The bar above the messages, with the way back to the list on a phone. */
function ChatBar({ children }: { children: ComponentChildren }) {
  return (
    <div class="chat__bar">
      <button
        class="icon-button chat__back"
        type="button"
        aria-label="Back to connections"
        onClick={() => goBackTo("/")}
      >
        <BackIcon />
      </button>
      {children}
    </div>
  );
}

function Notice({ chat, departure }: { chat: Chat; departure: Departure | undefined }) {
  if (chat.ended.value) {
    return (
      <p class="banner banner--warn" role="alert">
        {departure ? departureNotice(departure) : CONVERSATION_DELETED}
      </p>
    );
  }
  const notice = chat.notice.value;
  if (!notice) return null;
  return (
    <p class="banner banner--warn" role="alert">
      {notice}
      <button class="button button--small" type="button" onClick={() => chat.dismissNotice()}>
        Dismiss
      </button>
    </p>
  );
}
