import { computed, createModel, effect, signal } from "@preact/signals";
import type { Connection, Message } from "../../../protocol/api";
import type { HubMessage } from "../../../protocol/wire";
import { errorMessage } from "../errors";
import { api } from "../net/api";
import { HubConnection } from "../net/hub";
import type { SocketState } from "../net/socket";
import type { Departure } from "./departure";
import { GroupList } from "./group-list";
import { mergeByActivity } from "./groups";
import type { Notifications } from "./notifications";
import type { Page } from "./page";
import { conversationPath, navigate, openConversationId } from "./route";
import type { Session } from "./session";
import { TypingTracker } from "./typing";

const APP_TITLE = "Chat";
/** How often a refused hub socket may trigger a session check. */
const SESSION_CHECK_MS = 10_000;
/**
 * After the hub's `requests` count, how long its `connection` frame may take to arrive before a
 * list that still counts otherwise is fetched again.
 */
const REQUESTS_SETTLE_MS = 500;

/** A message request the person was sent and has not answered: listed apart, under "Requests". */
export function isIncomingRequest(connection: Connection): boolean {
  return connection.status === "pending" && connection.direction === "incoming";
}

/** Most recent activity first, as GET /api/connections orders them. */
function byActivity(a: Connection, b: Connection): number {
  const at = a.lastMessage?.sentAt ?? "";
  const bt = b.lastMessage?.sentAt ?? "";
  return at === bt ? 0 : at < bt ? 1 : -1;
}

/**
 * The person's connections, kept live by the user hub: presence, unread counts, previews,
 * new and removed connections. Also owns the title badge and message notifications.
 */
export const ConnectionsModel = createModel((session: Session, notifications: Notifications, page: Page) => {
  const list = signal<Connection[]>([]);
  const loaded = signal(false);
  const loadError = signal<string | null>(null);
  const hubState = signal<SocketState>("connecting");
  /** Conversations that ended while the screen was open, until the person dismisses the notice. */
  const departures = signal<Departure[]>([]);
  /** Conversations the person is deleting or blocking right now: their ending is no news. */
  const leaving = new Set<string>();
  /** Conversations in which the other person is typing, for the list. */
  const typing = new TypingTracker();
  /** The groups the person is in: the same hub feeds them. */
  const groups = new GroupList(session, notifications, page);
  /** Presence is known only while the hub is connected: otherwise the dots are grey, not "offline". */
  const presenceKnown = computed(() => hubState.value === "open");

  const byConversation = computed(() => new Map(list.value.map((item) => [item.conversationId, item])));
  /** Every conversation the person is in: their connections' and their groups'. */
  const conversationIds = computed(
    () => new Set([...byConversation.value.keys(), ...groups.list.value.map((group) => group.id)]),
  );
  /** Requests waiting for the person's answer, apart from contacts (and requests the person sent). */
  const requests = computed(() => list.value.filter(isIncomingRequest));
  const contacts = computed(() => list.value.filter((item) => !isIncomingRequest(item)));
  /** Contacts and groups together, most recent activity first. */
  const entries = computed(() => mergeByActivity(contacts.value, groups.list.value));
  /** What the hub last counted; the list is fetched again when it still disagrees a moment later. */
  let hubRequests: number | null = null;
  let requestsCheck: ReturnType<typeof setTimeout> | undefined;

  /** Unread messages the person is not looking at right now. */
  const unseenTotal = computed(() => {
    const open = page.visible.value ? openConversationId.value : null;
    const direct = list.value.reduce((sum, item) => sum + (item.conversationId === open ? 0 : item.unread), 0);
    // A muted group counts only while something in it names the person.
    return groups.list.value.reduce(
      (sum, group) => sum + (group.id === open || (group.muted && !group.mentioned) ? 0 : group.unread),
      direct,
    );
  });

  const update = (conversationId: string, change: (item: Connection) => Connection) => {
    list.value = list.value
      .map((item) => (item.conversationId === conversationId ? change(item) : item))
      .sort(byActivity);
  };

  const upsert = (connection: Connection) => {
    const rest = list.value.filter((item) => item.user.id !== connection.user.id);
    list.value = [connection, ...rest].sort(byActivity);
  };

  const refresh = async () => {
    try {
      const [answer] = await Promise.all([api.connections(), groups.refresh()]);
      list.value = answer.connections;
      loadError.value = null;
    } catch (error) {
      loadError.value = errorMessage(error);
    } finally {
      loaded.value = true;
    }
  };

  const notifyIfUnseen = (before: Connection | undefined, unread: number, lastMessage: Message | null) => {
    if (!before || !lastMessage || lastMessage.deleted || unread <= before.unread) return;
    if (lastMessage.senderId === session.user.value?.id) return;
    if (page.visible.value && openConversationId.value === before.conversationId) return;
    const conversationId = before.conversationId;
    notifications.show(before.user.username, lastMessage.body, conversationId, () =>
      navigate(conversationPath(conversationId)),
    );
  };

  const onFrame = (frame: HubMessage) => {
    if (groups.onFrame(frame)) return;
    switch (frame.type) {
      case "presence":
        list.value = list.value.map((item) =>
          item.user.id === frame.userId
            ? { ...item, online: frame.online, lastSeenAt: frame.lastSeenAt ?? item.lastSeenAt }
            : item,
        );
        return;
      case "typing":
        typing.note(frame.conversationId, frame.on);
        return;
      case "unread":
        notifyIfUnseen(byConversation.value.get(frame.conversationId), frame.unread, frame.lastMessage);
        update(frame.conversationId, (item) => ({
          ...item,
          unread: frame.unread,
          lastMessage: frame.lastMessage ?? item.lastMessage,
        }));
        return;
      case "connection":
        upsert(frame.connection);
        return;
      case "requests":
        hubRequests = frame.pending;
        clearTimeout(requestsCheck);
        requestsCheck = setTimeout(() => {
          if (hubRequests !== null && hubRequests !== requests.peek().length) void refresh();
        }, REQUESTS_SETTLE_MS);
        return;
      case "connection-removed": {
        const gone = byConversation.value.get(frame.conversationId);
        list.value = list.value.filter((item) => item.conversationId !== frame.conversationId);
        const reason = frame.reason ?? "removed";
        const open = openConversationId.value === frame.conversationId;
        const seen =
          leaving.has(frame.conversationId) ||
          departures.value.some((item) => item.conversationId === frame.conversationId);
        // The open chat stays where it is and says what happened; the list says so when an account ended.
        if (seen || !(open || (gone && reason === "account-ended"))) return;
        const departure: Departure = gone
          ? { conversationId: frame.conversationId, username: gone.user.username, reason }
          : { conversationId: frame.conversationId, username: "", reason: "removed" };
        departures.value = [...departures.value, departure];
        return;
      }
      case "account-ended":
        session.end(frame.reason);
        return;
      case "error":
        return;
    }
  };

  effect(() => {
    let opens = 0;
    let lastSessionCheck = 0;
    const hub = new HubConnection({
      onFrame,
      onState: (state) => {
        hubState.value = state;
      },
      // The hub does not replay: after a reconnect the list is fetched again. So it is after a
      // failed first fetch, which also holds back the sending of unsent messages (outbox.ts).
      onOpen: () => {
        opens += 1;
        if (opens > 1 || loadError.peek() !== null) void refresh();
      },
      onRefused: () => {
        if (Date.now() - lastSessionCheck < SESSION_CHECK_MS) return;
        lastSessionCheck = Date.now();
        // A 401 here ends the session through the API's unauthorized handler.
        api.connections().catch(() => undefined);
      },
      onEnded: (ending) => {
        if (ending.kind === "replaced") page.replaced.value = true;
        else session.ended(ending);
      },
    });
    return () => {
      hub.close();
      typing.clear();
      clearTimeout(requestsCheck);
    };
  });

  effect(() => {
    const total = unseenTotal.value;
    document.title = total > 0 ? `(${total}) ${APP_TITLE}` : APP_TITLE;
    return () => {
      document.title = APP_TITLE;
    };
  });

  void refresh();

  /**
   * Ends a conversation by the person's own doing: off the list and closed if open, with no
   * notice, even when the hub's word of it comes before the answer.
   */
  const leave = async (userId: string, call: () => Promise<void>) => {
    const conversationId = list.peek().find((item) => item.user.id === userId)?.conversationId;
    if (conversationId) leaving.add(conversationId);
    try {
      await call();
    } finally {
      if (conversationId) leaving.delete(conversationId);
    }
    list.value = list.peek().filter((item) => item.user.id !== userId);
    if (conversationId && openConversationId.peek() === conversationId) navigate("/", { replace: true });
  };

  return {
    list,
    requests,
    contacts,
    groups,
    entries,
    departures,
    replaced: page.replaced,
    typing,
    presenceKnown,
    loaded,
    loadError,
    hubState,
    byConversation,
    conversationIds,
    unseenTotal,
    refresh,
    upsert,
    /** A message seen in the open conversation: keeps the preview current for both sides. */
    notePreview(message: Message) {
      if (groups.notePreview(message)) return;
      const item = byConversation.value.get(message.conversationId);
      if (!item || (item.lastMessage && item.lastMessage.seq >= message.seq)) return;
      // While a chat is open its room is the source (the hub hears nothing then): a message the
      // person is not looking at counts as unread and is notified here, as a hub notice would be.
      const unseen = message.senderId !== session.user.value?.id && !message.deleted && !page.visible.value;
      if (unseen) notifyIfUnseen(item, item.unread + 1, message);
      update(message.conversationId, (current) => ({
        ...current,
        lastMessage: message,
        unread: unseen ? current.unread + 1 : current.unread,
      }));
    },
    /** A message was deleted for everyone: a preview of it says so. */
    noteDeleted(conversationId: string, seq: number) {
      if (groups.noteDeleted(conversationId, seq)) return;
      const last = byConversation.value.get(conversationId)?.lastMessage;
      if (last?.seq !== seq) return;
      update(conversationId, (current) => ({ ...current, lastMessage: { ...last, body: "", deleted: true } }));
    },
    /** The ended conversation, if this tab saw it end. */
    departure(conversationId: string): Departure | undefined {
      return departures.value.find((item) => item.conversationId === conversationId);
    },
    /** The person read the notice; an ended chat still open closes with it. */
    dismissDeparture(conversationId: string) {
      departures.value = departures.value.filter((item) => item.conversationId !== conversationId);
      if (openConversationId.value === conversationId) navigate("/", { replace: true });
    },
    /** Accepts a request: it becomes a contact, and presence and receipts flow from now on. */
    async accept(userId: string): Promise<void> {
      upsert((await api.accept(userId)).connection);
    },
    /** Declines a request (or removes a contact): the conversation is deleted for both sides. */
    decline(userId: string): Promise<void> {
      return leave(userId, () => api.disconnect(userId));
    },
    /** Blocks the person: the connection and its conversation go, and they can no longer reach the person. */
    block(userId: string): Promise<void> {
      return leave(userId, () => api.block(userId));
    },
    markRead(conversationId: string) {
      if (groups.markRead(conversationId)) return;
      const item = byConversation.value.get(conversationId);
      if (item && item.unread > 0) update(conversationId, (current) => ({ ...current, unread: 0 }));
    },
  };
});

export type Connections = InstanceType<typeof ConnectionsModel>;
