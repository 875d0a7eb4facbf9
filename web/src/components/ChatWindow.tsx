import { useModel } from "@preact/signals";
import type { ComponentChildren } from "preact";
import "../window.css";
import { useEffect, useState } from "preact/hooks";
import { WIRE_LIMITS } from "../../../protocol/wire";
import { errorMessage } from "../errors";
import { formatLastSeen } from "../format";
import type { ChatContext } from "../models/chat";
import { ChatModel } from "../models/chat";
import type { Departure } from "../models/departure";
import { departureNotice } from "../models/departure";
import { whenListed } from "../models/live-list";
import type { Opened } from "../models/opened";
import { OpenedConversationModel } from "../models/opened";
import { groupChat } from "../screens";
import { Avatar } from "./Avatar";
import { ChatBar, DownloadButton, Notice } from "./ChatParts";
import { Composer } from "./Composer";
import { ConnectionStatus } from "./ConnectionStatus";
import { BlockIcon } from "./icons";
import { Lazy } from "./Lazy";
import { ConfirmDialog } from "./LazyConfirmDialog";
import { MessageList } from "./MessageList";

type Props = { conversationId: string; context: ChatContext };
type OpenProps = Props & { opened: Opened };

/**
 * The open conversation, once it is known to be one of ours: from the list when it has loaded,
 * else (a direct link, before the list) from the server's word on this conversation alone.
 */
export function ChatWindow(props: Props) {
  const { conversationId, context } = props;
  const opened = useModel(() => new OpenedConversationModel(conversationId, context.connections));
  // Once painted (effects run after paint), the list's chunk may come (ChatScreen.tsx).
  const shown = opened.known.value || opened.problem.value !== null;
  useEffect(() => {
    if (shown) context.page.chatShown.value = true;
  }, [shown, context.page]);
  if (opened.connection.value) return <OpenChat {...props} opened={opened} />;
  if (opened.group.value)
    return (
      <Lazy chunk={groupChat} fallback={<LoadingChat />}>
        {(module) => <module.GroupChat {...props} opened={opened} />}
      </Lazy>
    );
  const list = context.connections.value;
  const departure = list?.departure(conversationId);
  if (list && departure)
    return <EndedChat departure={departure} dismiss={() => list.dismissDeparture(conversationId)} />;
  const problem = opened.problem.value;
  if (problem)
    return (
      <ChatInPlace title="Conversation">
        <p role="alert">
          {problem}{" "}
          <button class="button button--small" type="button" onClick={() => void opened.retry()}>
            Try again
          </button>
        </p>
      </ChatInPlace>
    );
  if (!opened.known.value) return <LoadingChat />;
  return (
    <ChatInPlace title="Conversation not found">
      <p>This conversation is not in your list. It may have been removed.</p>
    </ChatInPlace>
  );
}

/** Until it is known what the conversation is (and, for a group, its chunk is here). */
function LoadingChat() {
  return <ChatInPlace title="Loading…" />;
}

/** A conversation that ended while it was open: what happened, in place of the chat, and nothing of it. */
function EndedChat({ departure, dismiss }: { departure: Departure; dismiss: () => void }) {
  return (
    <ChatInPlace title={departure.username || "Conversation ended"}>
      <div class="ended" role="alert">
        <p>{departureNotice(departure)}</p>
        <button class="button button--small" type="button" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    </ChatInPlace>
  );
}

/** Where the chat would be: its bar with a title, and what to say instead of messages. */
function ChatInPlace({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="chat">
      <ChatBar>
        <span class="chat__title">{title}</span>
      </ChatBar>
      {children && <div class="empty">{children}</div>}
    </div>
  );
}

function OpenChat({ conversationId, context, opened }: OpenProps) {
  const chat = useModel(() => new ChatModel(conversationId, context, opened));
  const { me, connections } = context;
  /** What the person does here goes through the list, which comes right after the chat on a direct link. */
  const listed = () => whenListed(connections);
  const other = chat.connection.value?.user.username ?? "";
  const known = chat.presenceKnown.value;
  const online = chat.otherOnline.value;
  const typing = chat.otherTyping.value;
  const lastSeenAt = chat.connection.value?.lastSeenAt;
  const request = chat.request.value;
  const [confirming, setConfirming] = useState<"block" | "delete" | null>(null);
  // Between strangers nothing about presence is known or shown: the status says what the chat is.
  const status = request ? "request" : typing ? "typing" : !known ? "unknown" : online ? "online" : "offline";
  const statusText = {
    request: request === "incoming" ? "Message request" : "Request sent",
    typing: "typing…",
    unknown: "status unknown",
    online: "online",
    offline: lastSeenAt ? formatLastSeen(lastSeenAt) : "offline",
  }[status];
  const userId = chat.connection.value?.user.id ?? "";
  // The chat is gone: focus goes to the list, not to the page.
  const leave = (action: (userId: string) => Promise<void>) => async () => {
    await action(userId);
    document.querySelector<HTMLElement>(".pane--list")?.focus();
  };

  return (
    <div class="chat">
      <ChatBar>
        {request ? <Avatar name={other} /> : <Avatar name={other} online={known ? online : null} />}
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
        <DownloadButton chat={chat} />
        <button
          class="icon-button icon-button--danger"
          type="button"
          aria-label={`Block ${other}`}
          title={`Block ${other}`}
          onClick={() => setConfirming("block")}
        >
          <BlockIcon />
        </button>
      </ChatBar>
      <Notice chat={chat} departure={connections.value?.departure(conversationId)} />
      {request === "incoming" && !chat.ended.value && (
        <RequestActions
          other={other}
          accept={async () => (await listed()).accept(userId)}
          onDelete={() => setConfirming("delete")}
          onBlock={() => setConfirming("block")}
        />
      )}
      {request === "outgoing" && !chat.ended.value && (
        <p class="banner banner--info request-note" role="status">
          Request sent — they can see up to {WIRE_LIMITS.messagesBeforeAccept} messages until they accept.
        </p>
      )}
      {confirming === "block" && (
        <ConfirmDialog
          title={`Block ${other}?`}
          confirmLabel="Block"
          busyLabel="Blocking…"
          onConfirm={leave(async (id) => (await listed()).block(id))}
          onClose={() => setConfirming(null)}
        >
          <p>
            <bdi>{other}</bdi> will no longer find you in search, send you requests or open your invite links. This
            conversation is deleted for both of you. You can unblock them under Blocked people.
          </p>
        </ConfirmDialog>
      )}
      {confirming === "delete" && (
        <ConfirmDialog
          title="Delete this request?"
          confirmLabel="Delete request"
          busyLabel="Deleting…"
          onConfirm={leave(async (id) => (await listed()).decline(id))}
          onClose={() => setConfirming(null)}
        >
          <p>
            The conversation and its messages are deleted for both of you. <bdi>{other}</bdi> may ask again; to stop
            that, block them instead.
          </p>
        </ConfirmDialog>
      )}
      <MessageList chat={chat} me={me.id} />
      <Composer chat={chat} other={other} />
    </div>
  );
}

/** A request the person was sent: the three answers. Replying is possible, and is not one of them. */
function RequestActions(props: {
  other: string;
  accept: () => Promise<void>;
  onDelete: () => void;
  onBlock: () => void;
}) {
  const { other, accept, onDelete, onBlock } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onAccept = async () => {
    setBusy(true);
    setError(null);
    try {
      await accept();
      // The panel goes away with the request: ready to write instead.
      document.getElementById("composer-input")?.focus();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };
  return (
    <section class="request-panel" aria-labelledby="request-title">
      <h3 id="request-title" class="request-panel__title">
        <bdi>{other}</bdi> wants to chat with you
      </h3>
      <p class="request-panel__text">
        Until you accept, neither of you sees whether the other is online, typing or has read a message. Replying does
        not accept.
      </p>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      <div class="request-panel__actions">
        <button class="button button--primary" type="button" disabled={busy} onClick={() => void onAccept()}>
          {busy ? "Accepting…" : "Accept"}
        </button>
        <button class="button" type="button" onClick={onDelete}>
          Delete
        </button>
        <button class="button button--danger" type="button" onClick={onBlock}>
          Block
        </button>
      </div>
    </section>
  );
}
