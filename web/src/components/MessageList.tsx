import type { ComponentChildren, JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { SYSTEM_SENDER_ID } from "../../../protocol/wire";
import { formatDay, formatTime } from "../format";
import { splitLinks } from "../links";
import type { Chat } from "../models/chat";
import type { ChatMessage } from "../models/messages";
import { dayKey } from "../models/messages";

/** Start loading older messages this close to the top, before the person gets there. */
const LOAD_OLDER_PX = 300;
/** Within this distance of the bottom, new messages keep the view pinned to the bottom. */
const PINNED_PX = 48;
/** Messages in one run from one sender within this time share a bubble group. */
const GROUP_MS = 5 * 60_000;

type View = { firstId?: string; lastId?: string; height: number; top: number; pinned: boolean };

/**
 * What a group adds to the list, made by its own chunk (GroupMessages.tsx): the group's name, a
 * sender's name over a run of their messages, `@mentions` marked, and "Seen by".
 */
export interface GroupParts {
  name: string;
  sender(senderId: string): string;
  text(text: string): ComponentChildren;
  seenBy: { messageId: string; item: JSX.Element } | null;
}

/** The history with day separators; scrolls up through older pages, reports what is seen. */
export function MessageList({ chat, me, group }: { chat: Chat; me: string; group?: GroupParts }) {
  const scroller = useRef<HTMLDivElement>(null);
  const view = useRef<View>({ height: 0, top: 0, pinned: true });
  /** Pixels below the view: how far the latest message is. */
  const [below, setBelow] = useState(0);
  /** Placed once the history is in: at the "New messages" divider, or at the bottom. */
  const positioned = useRef(false);
  const messages = chat.messages.value;
  const ready = chat.historyState.value === "ready";

  const remember = () => {
    const element = scroller.current!;
    view.current = {
      firstId: messages[0]?.id,
      lastId: messages.at(-1)?.id,
      height: element.scrollHeight,
      top: element.scrollTop,
      pinned: element.scrollHeight - element.scrollTop - element.clientHeight < PINNED_PX,
    };
  };

  const maybeLoadOlder = () => {
    if (scroller.current!.scrollTop < LOAD_OLDER_PX) void chat.loadOlder();
  };

  // Older messages added above keep the same message in view; new ones below follow if pinned.
  useLayoutEffect(() => {
    const element = scroller.current!;
    const before = view.current;
    const first = messages[0]?.id;
    const last = messages.at(-1);
    if (!positioned.current) {
      if (!ready) return remember();
      positioned.current = true;
      const divider = element.querySelector(".unread-divider");
      element.scrollTop = divider
        ? element.scrollTop + divider.getBoundingClientRect().top - element.getBoundingClientRect().top - 8
        : element.scrollHeight;
      setBelow(element.scrollHeight - element.scrollTop - element.clientHeight);
    } else if (before.firstId !== undefined && first !== before.firstId && last?.id === before.lastId) {
      element.scrollTop = before.top + (element.scrollHeight - before.height);
    } else if (last?.id !== before.lastId && (before.pinned || last?.senderId === me)) {
      element.scrollTop = element.scrollHeight;
    }
    remember();
    maybeLoadOlder();
  }, [messages, ready]);

  // A keyboard opening on a phone shrinks the list: stay at the bottom if we were there.
  useEffect(() => {
    const element = scroller.current!;
    const observer = new ResizeObserver(() => {
      if (view.current.pinned) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useReadTracking(scroller, chat, messages);

  const onScroll = () => {
    remember();
    maybeLoadOlder();
    const element = scroller.current!;
    setBelow(element.scrollHeight - element.scrollTop - element.clientHeight);
  };
  const element = scroller.current;
  const seen = chat.seenSeq.value;
  const unseen = messages.filter((message) => message.senderId !== me && (message.seq ?? 0) > seen).length;
  const showLatest = element !== null && (below > element.clientHeight || (unseen > 0 && below > PINNED_PX));

  const toLatest = () => {
    const element = scroller.current!;
    element.scrollTo({
      top: element.scrollHeight,
      behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
    });
  };

  return (
    <div class="messages-frame">
      {/* New messages are announced one at a time below, not by re-reading the log. */}
      <div
        class="messages"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-live="off"
        aria-label="Messages"
      >
        <HistoryTop chat={chat} group={group} />
        <ol class="messages__list">{renderItems(messages, me, chat, group)}</ol>
      </div>
      <p class="sr-only" aria-live="polite">
        {chat.announcement.value}
      </p>
      {showLatest && (
        <button class="button button--small messages__latest" type="button" onClick={toLatest}>
          Latest messages ↓
          {unseen > 0 && (
            <span class="badge">
              {unseen}
              <span class="sr-only"> unread</span>
            </span>
          )}
        </button>
      )}
    </div>
  );
}

/** Tells the model which of the other person's messages are on screen, for read receipts. */
function useReadTracking(scroller: { current: HTMLDivElement | null }, chat: Chat, messages: ChatMessage[]) {
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    observer.current = new IntersectionObserver(
      (entries) => {
        const seqs = entries
          .filter((entry) => entry.isIntersecting)
          .map((entry) => Number((entry.target as HTMLElement).dataset.seq));
        if (seqs.length > 0) chat.seen(Math.max(...seqs));
      },
      { root: scroller.current, threshold: 0.5 },
    );
    return () => observer.current?.disconnect();
  }, []);
  useEffect(() => {
    // observe() ignores elements it already watches.
    const selector = ".msg--theirs[data-seq], .msg-system[data-seq]";
    for (const element of scroller.current?.querySelectorAll<HTMLElement>(selector) ?? []) {
      observer.current?.observe(element);
    }
  }, [messages]);
}

function HistoryTop({ chat, group }: { chat: Chat; group: GroupParts | undefined }) {
  if (chat.historyState.value === "loading")
    return (
      <p class="messages__note" role="status">
        Loading messages…
      </p>
    );
  if (chat.historyState.value === "error" || chat.olderState.value === "error") {
    return (
      <p class="messages__note" role="alert">
        {chat.historyError.value ?? "Could not load messages."}{" "}
        <button class="button button--small" type="button" onClick={() => chat.retryHistory()}>
          Try again
        </button>
      </p>
    );
  }
  if (chat.hasMore.value) {
    return (
      <p class="messages__note" role="status">
        {chat.olderState.value === "loading" ? "Loading older messages…" : ""}
      </p>
    );
  }
  if (group) {
    return (
      <p class="messages__note messages__note--start">
        This is the beginning of your history in <bdi>{group.name}</bdi>.
      </p>
    );
  }
  const name = chat.connection.value?.user.username ?? "them";
  return <p class="messages__note messages__note--start">This is the beginning of your conversation with {name}.</p>;
}

function renderItems(messages: ChatMessage[], me: string, chat: Chat, group: GroupParts | undefined): JSX.Element[] {
  const items: JSX.Element[] = [];
  const readBy = chat.readByOthers.value;
  const unreadFrom = chat.firstUnreadId.value;
  let previous: ChatMessage | undefined;
  for (const message of messages) {
    const day = dayKey(message.sentAt);
    const newDay = !previous || dayKey(previous.sentAt) !== day;
    if (newDay) {
      items.push(
        <li key={`day-${day}`} class="day">
          <span>{formatDay(message.sentAt)}</span>
        </li>,
      );
    }
    if (message.id === unreadFrom) {
      items.push(
        <li key="unread" class="unread-divider">
          <span>New messages</span>
        </li>,
      );
    }
    if (message.senderId === SYSTEM_SENDER_ID) {
      items.push(
        <li key={message.id} class="msg-system" data-seq={message.seq ?? undefined} data-id={message.id}>
          <p dir="auto">
            {message.body} <time dateTime={message.sentAt}>{formatTime(message.sentAt)}</time>
          </p>
        </li>,
      );
      previous = message;
      continue;
    }
    const continued =
      !newDay &&
      message.id !== unreadFrom &&
      previous?.senderId === message.senderId &&
      Date.parse(message.sentAt) - Date.parse(previous.sentAt) < GROUP_MS;
    items.push(
      <MessageItem
        key={message.id}
        message={message}
        mine={message.senderId === me}
        continued={continued}
        readBy={readBy}
        chat={chat}
        sender={group && !continued && message.senderId !== me ? group.sender(message.senderId) : null}
        text={group?.text ?? null}
      />,
    );
    if (group?.seenBy?.messageId === message.id) items.push(group.seenBy.item);
    previous = message;
  }
  return items;
}

type ItemProps = {
  message: ChatMessage;
  mine: boolean;
  continued: boolean;
  readBy: number;
  chat: Chat;
  /** In a group, the name over the first of a run of someone else's messages. */
  sender: string | null;
  /** In a group, the text with `@name` marked. */
  text: GroupParts["text"] | null;
};

function MessageItem({ message, mine, continued, readBy, chat, sender, text }: ItemProps) {
  const classes = ["msg", mine ? "msg--mine" : "msg--theirs", `msg--${message.status}`];
  if (continued) classes.push("msg--continued");
  return (
    <li class={classes.join(" ")} data-seq={message.seq ?? undefined} data-id={message.id}>
      <div class="msg__bubble">
        {sender && <bdi class="msg__sender">{sender}</bdi>}
        {message.deleted ? (
          <p class="msg__body msg__body--deleted">message deleted</p>
        ) : (
          <p class="msg__body" dir="auto">
            <MessageText body={message.body} text={text} />
          </p>
        )}
        <span class="msg__meta">
          <time dateTime={message.sentAt}>{formatTime(message.sentAt)}</time>
          {mine && !message.deleted && <Tick message={message} readBy={readBy} />}
          {message.seq !== null && !message.deleted && (
            <Actions seq={message.seq} body={message.body} mine={mine} chat={chat} />
          )}
        </span>
      </div>
      {message.status === "failed" && (
        <div class="msg__failed" role="alert">
          <span>Not sent{message.error ? `: ${message.error}` : ""}</span>
          <button class="button button--small" type="button" onClick={() => chat.retry(message.id)}>
            Retry
          </button>
          <button class="button button--small button--quiet" type="button" onClick={() => chat.discard(message.id)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}

/**
 * The text as text nodes, with web addresses as links that open a new tab (never HTML); in a
 * group the rest goes through `text` (its `@mentions` marked).
 */
function MessageText({ body, text }: { body: string; text: GroupParts["text"] | null }) {
  return (
    <>
      {splitLinks(body).map((part, index) =>
        part.href ? (
          <a key={index} href={part.href} rel="noopener noreferrer" target="_blank">
            {part.text}
          </a>
        ) : text ? (
          text(part.text)
        ) : (
          part.text
        ),
      )}
    </>
  );
}

type ActionsProps = { seq: number; body: string; mine: boolean; chat: Chat };

/** Copy, and for the person's own message delete for everyone (asked twice: it cannot be undone). */
function Actions({ seq, body, mine, chat }: ActionsProps) {
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(body).then(
      () => setCopied(true),
      () => (chat.notice.value = "The message could not be copied."),
    );
  };
  return (
    <details
      class="msg__actions"
      onToggle={(event) => {
        if (event.currentTarget.open) return;
        setConfirming(false);
        setCopied(false);
      }}
    >
      <summary class="msg__more" aria-label="Message actions" title="Message actions">
        ⋯
      </summary>
      <div class="msg__menu">
        <button class="button button--small button--quiet" type="button" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
        {mine &&
          (confirming ? (
            <>
              <button
                class="button button--small button--danger"
                type="button"
                onClick={() => chat.deleteForEveryone(seq)}
              >
                Yes, delete for everyone
              </button>
              <button class="button button--small button--quiet" type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button class="button button--small button--quiet" type="button" onClick={() => setConfirming(true)}>
              Delete for everyone
            </button>
          ))}
      </div>
    </details>
  );
}

/** Sending (clock), sent (one check), read (two checks), not sent (!). */
function Tick({ message, readBy }: { message: ChatMessage; readBy: number }) {
  const state =
    message.status !== "sent" ? message.status : message.seq !== null && message.seq <= readBy ? "read" : "sent";
  const label = { pending: "Sending", sent: "Sent", read: "Read", failed: "Not sent" }[state];
  return (
    <span class={`tick tick--${state}`} role="img" aria-label={label} title={label} data-tick={state}>
      <svg viewBox="0 0 20 12" width="18" height="11" aria-hidden="true">
        {state === "pending" && <path d="M10 1.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM10 3.5V6l1.8 1.2" />}
        {state === "failed" && <path d="M10 1.5v6M10 9.5v1" />}
        {(state === "sent" || state === "read") && <path d="M2 6.5 5.5 10 12 2" />}
        {state === "read" && <path d="M8.5 9 9.5 10 16 2" />}
      </svg>
    </span>
  );
}
