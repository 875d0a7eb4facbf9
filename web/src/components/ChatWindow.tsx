import { useModel } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Chat, ChatContext } from "../models/chat";
import { ChatModel } from "../models/chat";
import type { Departure } from "../models/connections";
import { CONVERSATION_DELETED, departureNotice } from "../models/connections";
import { goBackTo } from "../models/route";
import { Avatar } from "./Avatar";
import { Composer } from "./Composer";
import { ConnectionStatus } from "./ConnectionStatus";
import { BackIcon } from "./icons";
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
  const online = chat.otherOnline.value;
  const typing = chat.otherTyping.value;

  return (
    <div class="chat">
      <ChatBar>
        <Avatar name={other} online={online} />
        <div class="chat__who">
          <h2 class="chat__title">
            <TypedName name={other} />
          </h2>
          <p
            class={
              typing
                ? "chat__status chat__status--typing"
                : online
                  ? "chat__status chat__status--online"
                  : "chat__status"
            }
            aria-live="polite"
          >
            {typing ? "typing…" : online ? "online" : "offline"}
          </p>
        </div>
        <ConnectionStatus state={chat.socketState.value} class="chat__conn" />
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

const TYPE_STEP_MS = 45;

/** The name types itself in, letter by letter, unless the person prefers less motion. */
function TypedName({ name }: { name: string }) {
  const [shown, setShown] = useState(() => (prefersReducedMotion() ? name.length : 0));
  useEffect(() => {
    if (prefersReducedMotion()) {
      setShown(name.length);
      return;
    }
    setShown(0);
    const timer = setInterval(() => {
      setShown((count) => {
        if (count >= name.length) clearInterval(timer);
        return Math.min(count + 1, name.length);
      });
    }, TYPE_STEP_MS);
    return () => clearInterval(timer);
  }, [name]);

  return (
    <>
      <span class="sr-only">{name}</span>
      <span class={shown < name.length ? "typed typed--running" : "typed"} aria-hidden="true">
        {name.slice(0, shown)}
      </span>
    </>
  );
}

function prefersReducedMotion(): boolean {
  return matchMedia("(prefers-reduced-motion: reduce)").matches;
}
