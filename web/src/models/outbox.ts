import { createModel, effect } from "@preact/signals";
import { RoomConnection } from "../net/room";
import type { Connections } from "./connections";
import { openConversationId } from "./connections";
import type { OutboxStore, PendingMessage } from "./outbox-store";

/** Background sockets at once; other conversations wait for one to finish. */
const MAX_BACKGROUND = 4;

/**
 * The signed-in person's unsent messages. The open chat sends its own (it `claim`s its
 * conversation); every other conversation with messages waiting gets a background room
 * connection that sends them with their original ids and closes once all are acknowledged.
 */
export const OutboxModel = createModel((userId: string, store: OutboxStore, connections: Connections) => {
  const senders = new Map<string, RoomConnection>();
  /** Open chats per conversation: they send their own messages. */
  const claims = new Map<string, number>();
  /** Messages the server refused (other than for rate): not tried again in the background this visit. */
  const refused = new Set<string>();
  /** Set when signing out removed the screen; a chat closing after that must not start senders. */
  let disposed = false;

  const stopSender = (conversationId: string) => {
    senders.get(conversationId)?.close();
    senders.delete(conversationId);
  };

  const startSender = (conversationId: string, waiting: PendingMessage[]) => {
    const room: RoomConnection = new RoomConnection(conversationId, {
      onFrame: (frame) => {
        if (frame.type === "ack") store.remove(userId, conversationId, frame.id);
        else if (frame.type === "error" && frame.id) refused.add(frame.id);
        else return;
        if (room.unacknowledged > 0) return;
        stopSender(conversationId);
        sync();
      },
      onState: () => {},
      // Membership ended: these can no longer be delivered.
      onEnded: () => {
        for (const message of waiting) refused.add(message.id);
        stopSender(conversationId);
      },
    });
    senders.set(conversationId, room);
    for (const message of waiting) room.send(message.id, message.body);
  };

  /** Starts a sender for each conversation that has messages waiting and nobody sending them. */
  const sync = () => {
    if (disposed) return;
    // Until the list is known, a conversation cannot be told apart from one that was removed.
    if (!connections.loaded.peek() || connections.loadError.peek()) return;
    const known = connections.byConversation.peek();
    const open = openConversationId.peek();
    for (const conversationId of store.conversations(userId)) {
      if (!known.has(conversationId)) {
        store.drop(userId, conversationId);
        continue;
      }
      // The open chat is about to claim its conversation, if it has not already.
      if (claims.has(conversationId) || conversationId === open || senders.has(conversationId)) continue;
      if (senders.size >= MAX_BACKGROUND) continue;
      const waiting = store.list(userId, conversationId).filter((message) => !refused.has(message.id));
      if (waiting.length > 0) startSender(conversationId, waiting);
    }
  };

  store.prune(Date.now());

  effect(() => {
    // At start once the list is loaded, and whenever it or the open chat changes.
    void connections.loaded.value;
    void connections.byConversation.value;
    void openConversationId.value;
    sync();
  });

  effect(() => () => {
    disposed = true;
    for (const conversationId of [...senders.keys()]) stopSender(conversationId);
  });

  return {
    /** The conversation's messages still waiting, oldest first. */
    pending(conversationId: string): PendingMessage[] {
      return store.list(userId, conversationId);
    },
    save(conversationId: string, message: PendingMessage) {
      store.save(userId, conversationId, message);
    },
    /** Acknowledged, or discarded by the person. */
    remove(conversationId: string, id: string) {
      store.remove(userId, conversationId, id);
    },
    /** The open chat takes over sending; the returned function hands the rest back. */
    claim(conversationId: string): () => void {
      claims.set(conversationId, (claims.get(conversationId) ?? 0) + 1);
      stopSender(conversationId);
      return () => {
        const count = (claims.get(conversationId) ?? 1) - 1;
        if (count > 0) claims.set(conversationId, count);
        else claims.delete(conversationId);
        sync();
      };
    },
  };
});

export type Outbox = InstanceType<typeof OutboxModel>;
