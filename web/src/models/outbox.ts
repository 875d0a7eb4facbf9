import type { ReadonlySignal, Signal } from "@preact/signals";
import { createModel, effect, signal, untracked } from "@preact/signals";
import type { RoomConnection } from "../net/room";
import type { SessionEnding } from "../net/socket";
import type { KnownConversations } from "./live-list";
import type { OutboxStore, PendingMessage } from "./outbox-store";

/** Background sockets at once; other conversations wait for one to finish. */
const MAX_BACKGROUND = 4;

/**
 * The room socket: the list page does not need it until a message waits. vite.config.ts puts it
 * in the chat's chunk, which a chat's first page loads anyway (and the list page soon after it paints).
 */
let Room: typeof RoomConnection | null = null;
let roomLoading: Promise<typeof RoomConnection> | null = null;
let loadRoom = () => import("../net/room").then((loaded) => loaded.RoomConnection);
function loadRoomConnection(): Promise<typeof RoomConnection> {
  roomLoading ??= loadRoom().then(
    (loaded) => (Room = loaded),
    (failure) => {
      // Offline at the wrong moment: the next sync asks again.
      roomLoading = null;
      throw failure;
    },
  );
  return roomLoading;
}

/** For tests: the room socket at hand from the start (no wait for its chunk), or coming later as from a chunk. */
export function provideRoomConnection(room: typeof RoomConnection, { later = false } = {}): void {
  roomLoading = null;
  Room = later ? null : room;
  loadRoom = () => Promise.resolve(room);
}

/** A fresh client message id: the shape protocol/wire.ts accepts (the room sends it as given). */
function newMessageId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** A message the person wrote that the server has not stored yet. */
export interface OutgoingMessage {
  id: string;
  body: string;
  createdAt: string;
  /** "failed": the server refused it (other than for rate); it waits for retry or discard. */
  status: "pending" | "failed";
  error?: string;
}

/** One conversation's unsent messages, as a room connection drains them. */
export interface ConversationOutbox {
  /** Oldest first. */
  readonly pending: ReadonlySignal<readonly OutgoingMessage[]>;
  /** The server stored it. */
  acknowledge(id: string): void;
  /** The server refused it for good: kept, shown as not sent, no longer sent by itself. */
  fail(id: string, error: string): void;
}

/** What the outbox needs from the list: whether a conversation (one-to-one or a group) still exists. */

function outgoing(message: PendingMessage): OutgoingMessage {
  return message.error === undefined
    ? { ...message, status: "pending" }
    : { ...message, status: "failed", error: message.error };
}

function persisted(message: OutgoingMessage): PendingMessage {
  const { id, body, createdAt, error } = message;
  return message.status === "failed" ? { id, body, createdAt, error: error ?? "" } : { id, body, createdAt };
}

function isWaiting(message: OutgoingMessage): boolean {
  return message.status === "pending";
}

/**
 * The signed-in person's unsent messages: one signal per conversation, mirrored in Web Storage
 * so that they outlive the chat and the page. A room connection drains a conversation's signal
 * (the open chat's own, or a background one for every other conversation with messages waiting,
 * which closes once they are all stored); the chat view reads the same signal.
 */
export const OutboxModel = createModel(
  (
    userId: string,
    store: OutboxStore,
    connections: KnownConversations,
    openConversation: ReadonlySignal<string | null>,
    onSessionEnded: (ending: SessionEnding) => void,
  ) => {
    const lists = new Map<string, Signal<readonly OutgoingMessage[]>>();
    const senders = new Map<string, { room: RoomConnection; stopWatching: () => void }>();
    /** Set when the screen goes away (sign-out): nothing may start after that. */
    let disposed = false;

    store.prune(Date.now());

    const listOf = (conversationId: string): Signal<readonly OutgoingMessage[]> => {
      let list = lists.get(conversationId);
      if (!list) {
        list = signal(store.list(userId, conversationId).map(outgoing));
        lists.set(conversationId, list);
      }
      return list;
    };

    /** Changes one message in memory and in storage (item by item: another tab may write too). */
    const change = (conversationId: string, id: string, next: (message: OutgoingMessage) => OutgoingMessage) => {
      const list = listOf(conversationId);
      const current = list.peek().find((message) => message.id === id);
      if (!current) return;
      const updated = next(current);
      store.save(userId, conversationId, persisted(updated));
      list.value = list.peek().map((message) => (message.id === id ? updated : message));
    };

    const remove = (conversationId: string, id: string) => {
      const list = listOf(conversationId);
      store.remove(userId, conversationId, id);
      if (list.peek().some((message) => message.id === id)) {
        list.value = list.peek().filter((message) => message.id !== id);
      }
    };

    const conversation = (conversationId: string): ConversationOutbox => ({
      pending: listOf(conversationId),
      acknowledge: (id) => remove(conversationId, id),
      fail: (id, error) => change(conversationId, id, (message) => ({ ...message, status: "failed", error })),
    });

    const stopSender = (conversationId: string) => {
      const sender = senders.get(conversationId);
      if (!sender) return;
      senders.delete(conversationId);
      sender.stopWatching();
      sender.room.close();
    };

    /** The conversation is gone: what was waiting in it can never be delivered. */
    const drop = (conversationId: string) => {
      stopSender(conversationId);
      store.drop(userId, conversationId);
      const list = lists.get(conversationId);
      if (list) list.value = [];
    };

    const startSender = (conversationId: string) => {
      if (!Room) {
        // Stored meanwhile, and sent once the module is here: sync starts the sender then.
        loadRoomConnection().then(
          () => sync(),
          () => addEventListener("online", () => sync(), { once: true }),
        );
        return;
      }
      const room = new Room(conversationId, conversation(conversationId), {
        onFrame: () => {},
        onState: () => {},
        onEnded: (ending) => {
          if (ending.kind === "conversation") drop(conversationId);
          // Replaced: another tab of this person sends it, or this one after a reload.
          else if (ending.kind !== "replaced") onSessionEnded(ending);
          stopSender(conversationId);
        },
      });
      const list = listOf(conversationId);
      // Done once nothing is waiting; the next conversation in line may then start.
      const stopWatching = effect(() => {
        if (list.value.some(isWaiting)) return;
        queueMicrotask(() => {
          if (senders.get(conversationId)?.room !== room) return;
          stopSender(conversationId);
          sync();
        });
      });
      senders.set(conversationId, { room, stopWatching });
    };

    /** Conversations with messages waiting: in storage, or only in memory if storage refused. */
    const waitingConversations = (): Set<string> => {
      const ids = new Set(store.conversations(userId));
      for (const [conversationId, list] of lists) if (list.peek().length > 0) ids.add(conversationId);
      return ids;
    };

    /** Starts a sender for each conversation, other than the open one, that has messages waiting. */
    const sync = () => {
      if (disposed) return;
      const open = openConversation.peek();
      // The open chat sends its own.
      if (open !== null) stopSender(open);
      // Until the list is known, a conversation cannot be told apart from one that was removed.
      if (!connections.loaded.peek() || connections.loadError.peek()) return;
      const known = connections.conversationIds.peek();
      for (const conversationId of waitingConversations()) {
        if (!known.has(conversationId)) {
          drop(conversationId);
          continue;
        }
        if (conversationId === open || senders.has(conversationId) || senders.size >= MAX_BACKGROUND) continue;
        if (listOf(conversationId).peek().some(isWaiting)) startSender(conversationId);
      }
    };

    effect(() => {
      // At start once the list is loaded, and whenever it or the open chat changes.
      void connections.loaded.value;
      void connections.loadError.value;
      void connections.conversationIds.value;
      void openConversation.value;
      untracked(sync);
    });

    effect(() => () => {
      disposed = true;
      for (const conversationId of [...senders.keys()]) stopSender(conversationId);
    });

    return {
      /** The conversation's unsent messages, oldest first. */
      pending(conversationId: string): ReadonlySignal<readonly OutgoingMessage[]> {
        return listOf(conversationId);
      },
      /** What a room connection drains. */
      conversation,
      /** Keeps a new message until the server stores it; the conversation's room sends it. */
      add(conversationId: string, body: string): OutgoingMessage {
        const message: OutgoingMessage = {
          id: newMessageId(),
          body,
          createdAt: new Date().toISOString(),
          status: "pending",
        };
        const list = listOf(conversationId);
        store.save(userId, conversationId, persisted(message));
        list.value = [...list.peek(), message];
        // Written in the open chat, which sends it; from anywhere else, a background socket does.
        sync();
        return message;
      },
      /** A refused message goes again, in its original place. */
      retry(conversationId: string, id: string) {
        change(conversationId, id, ({ error: _, ...message }) => ({ ...message, status: "pending" }));
      },
      /** The person gave up on it. */
      discard(conversationId: string, id: string) {
        remove(conversationId, id);
      },
      drop,
    };
  },
);

export type Outbox = InstanceType<typeof OutboxModel>;
