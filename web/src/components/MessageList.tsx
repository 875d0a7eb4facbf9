import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatDay, formatTime } from "../format";
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

/** The history with day separators; scrolls up through older pages, reports what is seen. */
export function MessageList({ chat, me }: { chat: Chat; me: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const view = useRef<View>({ height: 0, top: 0, pinned: true });
  const [farFromLatest, setFarFromLatest] = useState(false);
  const messages = chat.messages.value;

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
    if (before.firstId !== undefined && first !== before.firstId && last?.id === before.lastId) {
      element.scrollTop = before.top + (element.scrollHeight - before.height);
    } else if (last?.id !== before.lastId && (before.pinned || last?.senderId === me)) {
      element.scrollTop = element.scrollHeight;
    }
    remember();
    maybeLoadOlder();
  }, [messages]);

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
    setFarFromLatest(element.scrollHeight - element.scrollTop - element.clientHeight > element.clientHeight);
  };

  const toLatest = () => {
    const element = scroller.current!;
    element.scrollTo({
      top: element.scrollHeight,
      behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
    });
  };

  return (
    <div class="messages-frame">
      <div class="messages" ref={scroller} onScroll={onScroll} tabIndex={0} role="log" aria-label="Messages">
        <HistoryTop chat={chat} />
        <ol class="messages__list">{renderItems(messages, me, chat)}</ol>
      </div>
      {farFromLatest && (
        <button class="button button--small messages__latest" type="button" onClick={toLatest}>
          Latest messages ↓
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
    for (const element of scroller.current?.querySelectorAll<HTMLElement>(".msg--theirs[data-seq]") ?? []) {
      observer.current?.observe(element);
    }
  }, [messages]);
}

function HistoryTop({ chat }: { chat: Chat }) {
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
  const name = chat.connection.value?.user.username ?? "them";
  return <p class="messages__note messages__note--start">This is the beginning of your conversation with {name}.</p>;
}

function renderItems(messages: ChatMessage[], me: string, chat: Chat): JSX.Element[] {
  const items: JSX.Element[] = [];
  const readBy = chat.readByOthers.value;
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
    const continued =
      !newDay &&
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
      />,
    );
    previous = message;
  }
  return items;
}

type ItemProps = { message: ChatMessage; mine: boolean; continued: boolean; readBy: number; chat: Chat };

function MessageItem({ message, mine, continued, readBy, chat }: ItemProps) {
  const classes = ["msg", mine ? "msg--mine" : "msg--theirs", `msg--${message.status}`];
  if (continued) classes.push("msg--continued");
  return (
    <li class={classes.join(" ")} data-seq={message.seq ?? undefined} data-id={message.id}>
      <div class="msg__bubble">
        <p class="msg__body">{message.body}</p>
        <span class="msg__meta">
          <time dateTime={message.sentAt}>{formatTime(message.sentAt)}</time>
          {mine && <Tick message={message} readBy={readBy} />}
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
