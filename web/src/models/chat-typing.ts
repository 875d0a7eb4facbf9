import { computed } from "@preact/signals";
import type { User } from "../../../protocol/api";
import type { ChatMembers } from "./chat-members";
import type { ChatSocket } from "./chat-socket";
import type { LiveList } from "./live-list";
import { TYPING_RESEND_MS, TypingTracker } from "./typing";

/** Say "stopped typing" after this long without a keystroke. */
const TYPING_IDLE_MS = 4_000;

/**
 * Typing both ways in the open chat: who else types here (also told to the list), and the
 * person's own, told to the room at most every few seconds and stopped after a pause.
 * Nothing flows either way while a message request is pending (API.md).
 */
export function chatTyping(
  conversationId: string,
  me: User,
  connections: LiveList,
  request: ChatMembers["request"],
  { room, on }: ChatSocket,
) {
  const typers = new TypingTracker();
  let typingSentAt = 0;
  let typingIdle: ReturnType<typeof setTimeout> | undefined;

  const show = (userId: string, typing: boolean) => {
    typers.note(userId, typing);
    connections.peek()?.typing.note(conversationId, typing);
  };

  const stop = () => {
    clearTimeout(typingIdle);
    if (typingSentAt === 0) return;
    typingSentAt = 0;
    room()?.typing(false);
  };

  on("typing", (frame) => {
    if (frame.userId !== me.id) show(frame.userId, frame.on);
  });
  // Someone who went offline types no more.
  on("presence", (frame) => {
    if (!frame.online && frame.userId !== me.id) show(frame.userId, false);
  });

  return {
    /** What the chat model shows of typing. */
    model: {
      /** Who is typing here now (a group names them: group-view.ts). */
      typingIds: typers.active,
      otherTyping: computed(() => request.value === null && typers.active.value.size > 0),
    },
    /** The composer changed: tell the room we are typing, throttled, and stop after a pause. */
    typed(text: string) {
      clearTimeout(typingIdle);
      if (!text.trim()) {
        stop();
        return;
      }
      // Again every few seconds while typing goes on, so the other side keeps showing it.
      if (request.peek() === null && Date.now() - typingSentAt > TYPING_RESEND_MS) {
        typingSentAt = Date.now();
        room()?.typing(true);
      }
      typingIdle = setTimeout(stop, TYPING_IDLE_MS);
    },
    /** The person sent what they typed. */
    stop,
    /** The chat closes: the person's typing stops, and nobody shows as typing here or in the list. */
    leave() {
      stop();
      typers.clear();
      connections.peek()?.typing.note(conversationId, false);
    },
  };
}
