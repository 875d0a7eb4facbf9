import type { ReadonlySignal } from "@preact/signals";
import { computed, signal } from "@preact/signals";
import { WIRE_LIMITS } from "../../../protocol/wire";
import type { ChatContext } from "./chat";
import type { ChatMembers } from "./chat-members";
import type { ChatMessage } from "./messages";

/**
 * What the person sends from the open chat: the draft, what may not go (too long, an ended chat,
 * a message request at its cap), and the outbox, which the room's socket drains.
 */
export function chatSending(
  conversationId: string,
  { me, outbox }: Pick<ChatContext, "me" | "outbox">,
  {
    messages,
    request,
    ended,
  }: {
    messages: ReadonlySignal<ChatMessage[]>;
    request: ChatMembers["request"];
    ended: ReadonlySignal<boolean>;
  },
  /** A message went: the person's typing stops. */
  onSent: () => void,
) {
  const draft = signal("");
  /** The person's messages in a request they sent: stored, or on their way. */
  const sentInRequest = computed(() =>
    request.value === "outgoing" ? messages.value.filter((message) => message.senderId === me.id).length : 0,
  );
  /** The person asked, and sent as many messages as a request allows until it is accepted. */
  const requestFull = computed(() => sentInRequest.value >= WIRE_LIMITS.messagesBeforeAccept);

  return {
    draft,
    requestFull,
    /** Sends the draft; false when there is nothing to send. */
    send(): boolean {
      const body = draft.value.trim();
      if (!body || body.length > WIRE_LIMITS.maxBodyChars || ended.value || requestFull.value) return false;
      outbox.add(conversationId, body);
      draft.value = "";
      onSent();
      return true;
    },
    retry(id: string) {
      outbox.retry(conversationId, id);
    },
    discard(id: string) {
      outbox.discard(conversationId, id);
    },
  };
}
