import { useEffect, useRef, useState } from "preact/hooks";
import { WIRE_LIMITS } from "../../../protocol/wire";
import type { Chat } from "../models/chat";
import { SendIcon } from "./icons";

const MAX_ROWS = 6;
/** Show the character count only when it starts to matter. */
const COUNT_FROM = WIRE_LIMITS.maxBodyChars - 500;

/** The message field: Enter sends, Shift+Enter starts a new line. */
export function Composer({ chat, other }: { chat: Chat; other: string }) {
  const field = useRef<HTMLTextAreaElement>(null);
  const draft = chat.draft.value;
  const tooLong = draft.length > WIRE_LIMITS.maxBodyChars;
  const rows = Math.min(MAX_ROWS, draft.split("\n").length);
  const offline = chat.socketState.value !== "open";
  // A request the person sent holds a few messages until it is accepted (the room refuses more).
  const full = chat.requestFull.value;
  const closed = chat.ended.value || full;

  // Ready to type on opening a chat; not on a phone, where that would pop the keyboard up.
  useEffect(() => {
    if (matchMedia("(min-width: 768px)").matches) field.current?.focus();
  }, []);

  const submit = () => {
    if (chat.send()) field.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    submit();
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {chat.pausedUntil.value !== null && <Paused until={chat.pausedUntil.value} />}
      {full && (
        <p class="composer__offline" role="status">
          You sent {WIRE_LIMITS.messagesBeforeAccept} messages: you can write more once <bdi>{other}</bdi> accepts your
          request.
        </p>
      )}
      {offline && (
        <p class="composer__offline" role="status">
          {chat.socketState.value === "offline" ? "You are offline." : "Reconnecting…"} Messages will be sent when the
          connection is back.
        </p>
      )}
      <div class="composer__row">
        <label class="sr-only" for="composer-input">
          Message to {other}
        </label>
        <textarea
          ref={field}
          id="composer-input"
          class="composer__input"
          rows={rows}
          placeholder="Write a message"
          value={draft}
          disabled={chat.ended.value}
          aria-invalid={tooLong}
          aria-describedby={draft.length >= COUNT_FROM ? "composer-count" : undefined}
          onInput={(event) => chat.typed(event.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <button
          class="icon-button icon-button--send"
          type="submit"
          aria-label="Send"
          title="Send (Enter)"
          disabled={!draft.trim() || tooLong || closed}
        >
          <SendIcon />
        </button>
      </div>
      {draft.length >= COUNT_FROM && (
        <p id="composer-count" class={tooLong ? "composer__count composer__count--over" : "composer__count"}>
          {draft.length} / {WIRE_LIMITS.maxBodyChars}
        </p>
      )}
    </form>
  );
}

/** The rate limit in words, counting down to when sending resumes. */
function Paused({ until }: { until: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(1, Math.ceil((until - now) / 1_000));
  return (
    <p class="composer__offline" role="status">
      Sending paused — too many messages. Resuming in {seconds} s
    </p>
  );
}
