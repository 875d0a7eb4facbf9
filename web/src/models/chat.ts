import { createModel, signal } from "@preact/signals";
import type { User } from "../../../protocol/api";
import { errorMessage } from "../errors";
import { chatHistory } from "./chat-history";
import { chatMembers } from "./chat-members";
import { chatReceipts } from "./chat-receipts";
import { chatSending } from "./chat-sending";
import { chatSocket } from "./chat-socket";
import { chatTyping } from "./chat-typing";
import type { LiveList } from "./live-list";
import { whenListed } from "./live-list";
import type { Opened } from "./opened";
import type { Outbox } from "./outbox";
import type { Page } from "./page";
import type { Session } from "./session";

/** What the open chat needs from the signed-in screen. */
export interface ChatContext {
  me: User;
  session: Session;
  /** The list's model once its chunk is here: what the chat tells it waits for it, or is not needed. */
  connections: LiveList;
  outbox: Outbox;
  page: Page;
}

/**
 * One open conversation: its history, live messages, unsent messages, typing and read receipts.
 * `opened` says what the conversation is (the contact, or the group), from the list or on its own.
 * Each concern is a part (chat-*.ts) that asks the room's link (chat-socket.ts) for the frames it
 * needs; what a part shows is its `model`, and this model is theirs joined, with the notices.
 */
export const ChatModel = createModel((conversationId: string, context: ChatContext, opened: Opened) => {
  const { me, connections, outbox } = context;
  const notice = signal<string | null>(null);

  // Its handlers run only once the parts below exist; each frame reaches the parts in the order made.
  const socket = chatSocket(conversationId, context, {
    onEnded: (ending) => {
      history.clear();
      outbox.drop(conversationId);
      // Removed from a group, or left it in another tab: back to the list, which says so.
      if (!group.peek()) return;
      const reason = ending.reason === "left" ? "left" : "removed";
      const list = connections.peek();
      if (list) list.groups.gone(conversationId, reason);
      else void whenListed(connections).then((arrived) => arrived.groups.gone(conversationId, reason));
    },
    beforeClose: () => typing.leave(),
  });
  const { room, on } = socket;
  const people = chatMembers(opened, connections, socket);
  const { connection, group, request } = people.model;
  // What was left unsent here, by an earlier visit or before switching chats, shows as sending.
  const history = chatHistory(
    conversationId,
    me,
    opened,
    outbox.pending(conversationId),
    socket,
    (senderId) => connection.peek()?.user.username ?? people.model.nameOf(senderId),
  );
  const receipts = chatReceipts(conversationId, context, people.model, socket);
  const typing = chatTyping(conversationId, me, connections, request, socket);
  const { ended } = socket.model;
  const sending = chatSending(
    conversationId,
    context,
    { messages: history.model.messages, request, ended },
    typing.stop,
  );

  // The list's previews follow the open chat.
  on("message", (frame) => connections.peek()?.notePreview(frame.message));
  on("deleted", (frame) => connections.peek()?.noteDeleted(conversationId, frame.seq));
  on("error", (frame) => {
    // One about a message of ours marks it in the outbox.
    if (!frame.id) notice.value = frame.message;
  });

  return {
    ...socket.model,
    ...people.model,
    ...history.model,
    ...receipts.model,
    ...typing.model,
    ...sending,
    notice,
    /** The composer changed: the draft, and the person's typing as the room hears it. */
    typed(text: string) {
      sending.draft.value = text;
      typing.typed(text);
    },
    /** Deletes one of the person's own messages for everyone; false when the room cannot be reached now. */
    deleteForEveryone(seq: number): boolean {
      if (room()?.delete(seq)) return true;
      notice.value = "You are offline: the message can be deleted once the connection is back.";
      return false;
    },
    /** Saves the whole conversation as a text file, from the history API. */
    async download(): Promise<void> {
      const names: Record<string, string | undefined> = {
        [me.id]: me.username,
        [connection.peek()?.user.id ?? ""]: connection.peek()?.user.username,
      };
      for (const member of group.peek()?.members ?? []) names[member.id] = member.username;
      try {
        // Rarely used: its code comes when asked for.
        const { downloadTranscript } = await import("../transcript");
        await downloadTranscript(
          conversationId,
          names,
          connection.peek()?.user.username ??
            (people.model.roomGroup.peek()?.name || group.peek()?.name || "conversation"),
        );
      } catch (error) {
        notice.value = `The conversation could not be downloaded: ${errorMessage(error)}`;
      }
    },
    dismissNotice() {
      notice.value = null;
    },
  };
});

export type Chat = InstanceType<typeof ChatModel>;
