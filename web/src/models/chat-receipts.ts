import { computed, effect, signal, untracked } from "@preact/signals";
import type { ChatContext } from "./chat";
import type { ChatMembers } from "./chat-members";
import type { ChatSocket } from "./chat-socket";

/**
 * Read receipts both ways in the open chat: how far each member has read (our messages' ticks),
 * and how far the person has seen, told to the room (only while the tab is visible) and the list.
 */
export function chatReceipts(
  conversationId: string,
  { me, page, connections }: Pick<ChatContext, "me" | "page" | "connections">,
  { members, group, request }: Pick<ChatMembers, "members" | "group" | "request">,
  { room, on }: ChatSocket,
) {
  /** Each member's read cursor: the highest seq they have read. */
  const readUpTo = signal<Record<string, number>>({});
  /** The newest seq of the other person's messages that has been on screen. */
  const seenSeq = signal(0);
  let readSent = 0;

  const flushRead = () => {
    const seen = seenSeq.peek();
    const current = room();
    if (!page.visible.value || seen <= readSent || !current) return;
    readSent = seen;
    current.read(seen);
    connections.peek()?.markRead(conversationId);
  };

  /** In a group, a message counts as read (two ticks) once every other member has read it. */
  const readByAll = (): number => {
    const others = members.value.filter((member) => member.id !== me.id);
    if (others.length === 0) return 0;
    return Math.min(...others.map((member) => readUpTo.value[member.id] ?? 0));
  };

  // Read receipts wait until the tab is visible again.
  effect(() => {
    if (page.visible.value) untracked(flushRead);
  });

  // A list that loads after the chat (a direct link) may count what was read here as unread.
  effect(() => {
    const list = connections.value;
    if (list?.loaded.value && readSent > 0) untracked(() => list.markRead(conversationId));
  });

  // The room's cursors, the person's own among them (read in another tab).
  on("hello", (frame) => {
    readUpTo.value = frame.readUpTo;
    readSent = Math.max(readSent, frame.readUpTo[me.id] ?? 0);
    seenSeq.value = Math.max(seenSeq.peek(), readSent);
    flushRead();
  });
  on("read", (frame) => {
    readUpTo.value = { ...readUpTo.value, [frame.userId]: Math.max(frame.seq, readUpTo.value[frame.userId] ?? 0) };
  });

  return {
    /** What the chat model shows of read receipts. */
    model: {
      readUpTo,
      seenSeq,
      /** The highest seq any other member has read: our messages up to it get the "read" tick. */
      readByOthers: computed(() =>
        group.value !== null
          ? readByAll()
          : request.value !== null
            ? 0
            : Object.entries(readUpTo.value).reduce(
                (max, [userId, seq]) => (userId === me.id ? max : Math.max(max, seq)),
                0,
              ),
      ),
      /** A message of the other person's was on screen. */
      seen(seq: number) {
        if (seq <= seenSeq.peek()) return;
        seenSeq.value = seq;
        flushRead();
      },
    },
  };
}
