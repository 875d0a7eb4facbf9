import type { ComponentChildren } from "preact";
import type { Chat } from "../models/chat";
import type { Departure } from "../models/departure";
import { CONVERSATION_DELETED, departureNotice } from "../models/departure";
import { goBackTo } from "../models/route";
import { BackIcon } from "./icons";

/** The bar above the messages, with the way back to the list on a phone. */
export function ChatBar({ children }: { children: ComponentChildren }) {
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

export function Notice({ chat, departure }: { chat: Chat; departure: Departure | undefined }) {
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
