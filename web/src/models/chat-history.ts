import type { ReadonlySignal } from "@preact/signals";
import { computed, signal } from "@preact/signals";
import type { User } from "../../../protocol/api";
import { HISTORY_PAGE_MAX } from "../../../protocol/api";
import { errorMessage } from "../errors";
import type { HistoryPage } from "../net/api";
import { api, HISTORY_PAGE } from "../net/api";
import type { ChatSocket } from "./chat-socket";
import type { ChatMessage } from "./messages";
import { firstUnread, markDeleted, mergeMessages, timeline } from "./messages";
import type { Opened } from "./opened";
import type { OutgoingMessage } from "./outbox";

/** Pages loaded back at most on opening, to reach where unread messages start. */
const UNREAD_PAGES_MAX = 5;

/**
 * The open chat's messages: the stored ones by seq (the latest page on opening, back to where the
 * unread ones start; older pages on scrolling up; live ones as the room sends them), then the
 * person's unsent ones. It starts loading at once.
 */
export function chatHistory(
  conversationId: string,
  me: User,
  opened: Opened,
  unsent: ReadonlySignal<readonly OutgoingMessage[]>,
  { model: { ended }, room, on }: ChatSocket,
  /** Who sent a message, as a screen reader says it. */
  nameOf: (senderId: string) => string | null,
) {
  /** Messages the server stored, by seq. */
  const stored = signal<ChatMessage[]>([]);
  /** In a group: the first seq this member may see; history stops there. */
  const visibleFromSeq = signal(0);
  const visible = computed(() =>
    visibleFromSeq.value > 0
      ? stored.value.filter((message) => (message.seq ?? 0) >= visibleFromSeq.value)
      : stored.value,
  );
  const messages = computed(() => timeline(visible.value, unsent.value, conversationId, me.id));
  /** The server has older messages; they are shown only from `visibleFromSeq` on. */
  const more = signal(false);
  const hasMore = computed(() => more.value && (stored.value[0]?.seq ?? 0) > visibleFromSeq.value);
  const historyState = signal<"loading" | "ready" | "error">("loading");
  const olderState = signal<"idle" | "loading" | "error">("idle");
  const historyError = signal<string | null>(null);
  /** Unread when the chat opened: the "New messages" divider goes before the first of them. */
  const unreadAtOpen = opened.connection.peek()?.unread ?? opened.group.peek()?.unread ?? 0;
  const firstUnreadId = signal<string | null>(null);
  /** The latest message from someone else, for screen readers (one polite announcement each). */
  const announcement = signal("");

  const takePage = (page: HistoryPage) => {
    stored.value = mergeMessages(stored.value, page.messages);
    more.value = page.hasMore;
  };

  const loadLatest = async () => {
    historyState.value = "loading";
    try {
      const latest = await (opened.takeHistory() ?? api.messages(conversationId, null, HISTORY_PAGE));
      if (ended.peek()) return;
      takePage(latest);
      // Back far enough to open where the unread messages start.
      for (let pages = 0; pages < UNREAD_PAGES_MAX && hasMore.peek(); pages += 1) {
        const theirs = stored.peek().filter((message) => message.senderId !== me.id).length;
        if (theirs >= unreadAtOpen) break;
        const older = await api.messages(conversationId, stored.peek()[0]?.seq ?? null, HISTORY_PAGE_MAX);
        if (ended.peek()) return;
        takePage(older);
      }
      if (firstUnreadId.peek() === null) firstUnreadId.value = firstUnread(stored.peek(), me.id, unreadAtOpen);
      historyState.value = "ready";
      historyError.value = null;
      room()?.setBaseline(latest.messages.at(-1)?.seq ?? 0);
    } catch (error) {
      historyState.value = "error";
      historyError.value = errorMessage(error);
    }
  };

  on("hello", (frame) => {
    visibleFromSeq.value = frame.visibleFromSeq ?? 0;
    if (historyState.value === "error") void loadLatest();
  });
  on("message", ({ message }) => {
    const before = stored.peek();
    stored.value = mergeMessages(before, [message]);
    if (stored.peek() === before || message.senderId === me.id || message.deleted) return;
    const name = nameOf(message.senderId);
    announcement.value = name ? `${name}: ${message.body}` : message.body;
  });
  // The person's message is stored: shown as such at once; the server's own copy (its time) follows in a "message" frame.
  on("ack", (frame) => {
    const mine = unsent.peek().find((message) => message.id === frame.id);
    if (!mine) return;
    const { id, body, createdAt } = mine;
    const copy = { id, seq: frame.seq, conversationId, senderId: me.id, body, sentAt: createdAt };
    stored.value = mergeMessages(stored.value, [copy]);
  });
  on("deleted", (frame) => {
    stored.value = markDeleted(stored.value, frame.seq);
  });

  void loadLatest();

  return {
    /** What the chat model shows of its history. */
    model: {
      messages,
      hasMore,
      historyState,
      historyError,
      olderState,
      firstUnreadId,
      announcement,
      /** Loads the page before the oldest message held (infinite scroll up). */
      async loadOlder() {
        if (!hasMore.value || olderState.value === "loading" || historyState.value !== "ready") return;
        const oldest = messages.value.find((message) => message.seq !== null)?.seq;
        if (oldest === undefined || oldest === null) return;
        olderState.value = "loading";
        try {
          const older = await api.messages(conversationId, oldest, HISTORY_PAGE);
          if (ended.peek()) return;
          takePage(older);
          olderState.value = "idle";
        } catch (error) {
          olderState.value = "error";
          historyError.value = errorMessage(error);
        }
      },
      retryHistory() {
        if (historyState.value === "error") void loadLatest();
        else olderState.value = "idle";
      },
    },
    /** The conversation ended: nothing of it is kept. */
    clear() {
      stored.value = [];
    },
  };
}
