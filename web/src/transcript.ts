import type { Message } from "../../protocol/api";
import { HISTORY_PAGE_MAX } from "../../protocol/api";
import { SYSTEM_SENDER_ID } from "../../protocol/wire";
import { api } from "./net/api";

/** Every stored message of a conversation, oldest first, paging back through the history API. */
export async function wholeHistory(conversationId: string): Promise<Message[]> {
  const pages: Message[][] = [];
  let before: number | null = null;
  for (;;) {
    const page = await api.messages(conversationId, before, HISTORY_PAGE_MAX);
    pages.unshift(page.messages);
    const oldest = page.messages[0];
    if (!page.hasMore || !oldest) break;
    before = oldest.seq;
  }
  return pages.flat();
}

/** One line per message: time, sender, text; a deleted one says so. */
export function transcriptText(messages: Message[], names: Record<string, string | undefined>): string {
  return messages
    .map((message) => {
      const text = message.deleted ? "(message deleted)" : message.body;
      // A group's system line is a sentence of its own ("ann added bob").
      if (message.system || message.senderId === SYSTEM_SENDER_ID) return `[${message.sentAt}] ${text}`;
      // Only in a group can a sender be unknown: someone no longer in it.
      return `[${message.sentAt}] ${names[message.senderId] ?? "someone who left"}: ${text}`;
    })
    .join("\n");
}

/** Makes the transcript in the browser and hands it to the person as a file. */
export async function downloadTranscript(
  conversationId: string,
  names: Record<string, string | undefined>,
  other: string,
): Promise<void> {
  const text = transcriptText(await wholeHistory(conversationId), names);
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `chat-with-${other}-${new Date().toISOString().slice(0, 10)}.txt`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
