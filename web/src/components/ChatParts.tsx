import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Chat } from "../models/chat";
import type { Departure } from "../models/departure";
import { CONVERSATION_DELETED, departureNotice } from "../models/departure";
import { goBackTo } from "../models/route";
import { BackIcon, DownloadIcon } from "./icons";

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

/**
 * Saves the whole conversation as a text file (its code comes when asked for): an icon in a chat's
 * bar, or a `labelled` button where there is room for words (a group's members dialog).
 */
export function DownloadButton({ chat, labelled = false }: { chat: Chat; labelled?: boolean }) {
  const [saving, setSaving] = useState(false);
  const download = async () => {
    setSaving(true);
    await chat.download();
    setSaving(false);
  };
  if (labelled)
    return (
      <button class="button" type="button" disabled={saving} onClick={() => void download()}>
        {saving ? "Downloading…" : "Download conversation"}
      </button>
    );
  return (
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
  );
}
