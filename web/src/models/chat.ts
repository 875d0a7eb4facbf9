import { computed, createModel, effect, signal, untracked } from "@preact/signals";
import type { User } from "../../../protocol/api";
import { HISTORY_PAGE_MAX } from "../../../protocol/api";
import type { ServerMessage } from "../../../protocol/wire";
import { WIRE_LIMITS } from "../../../protocol/wire";
import { errorMessage } from "../errors";
import { api, HISTORY_PAGE } from "../net/api";
import { RoomConnection } from "../net/room";
import type { SocketState } from "../net/socket";
import type { LiveList } from "./live-list";
import { whenListed } from "./live-list";
import type { ChatMessage } from "./messages";
import { firstUnread, markDeleted, mergeMessages, timeline } from "./messages";
import type { Opened } from "./opened";
import type { Outbox } from "./outbox";
import type { Page } from "./page";
import { senderName } from "./sender-name";
import type { Session } from "./session";
import { TYPING_RESEND_MS, TypingTracker } from "./typing";

/** Say "stopped typing" after this long without a keystroke. */
const TYPING_IDLE_MS = 4_000;
/** Pages loaded back at most on opening, to reach where unread messages start. */
const UNREAD_PAGES_MAX = 5;

type Member = { id: string; username: string; online: boolean };

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
 */
export const ChatModel = createModel(
  (conversationId: string, { me, session, connections, outbox, page }: ChatContext, opened: Opened) => {
    /** Messages the server stored, by seq. */
    const stored = signal<ChatMessage[]>([]);
    // What was left unsent here, by an earlier visit or before switching chats, shows as sending.
    const unsent = outbox.pending(conversationId);
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
    const socketState = signal<SocketState>("connecting");
    const notice = signal<string | null>(null);
    const members = signal<Member[]>([]);
    const readUpTo = signal<Record<string, number>>({});
    const typers = new TypingTracker();
    /** The newest seq of the other person's messages that has been on screen. */
    const seenSeq = signal(0);
    /** Sends are paused (rate limited) until this time. */
    const pausedUntil = signal<number | null>(null);
    /** The latest message from the other person, for screen readers (one polite announcement each). */
    const announcement = signal("");
    /** Unread when the chat opened: the "New messages" divider goes before the first of them. */
    const unreadAtOpen = opened.connection.peek()?.unread ?? opened.group.peek()?.unread ?? 0;
    const firstUnreadId = signal<string | null>(null);
    /** The server ended the conversation: nothing of it is kept, and nothing more can be sent. */
    const ended = signal(false);
    const draft = signal("");

    const connection = opened.connection;
    /** The group, as the list knows it; null for a one-to-one chat. */
    const group = opened.group;
    /** The group's name and admins as its room last said (hello, then `members` frames). */
    const roomGroup = signal<{ name: string; admins: string[] } | null>(null);
    /** While a message request is unanswered, who asked; null between contacts. */
    const request = computed(() => (connection.value?.status === "pending" ? connection.value.direction : null));
    /** No typing, presence or read receipts flow while a request is pending (API.md). */
    const otherTyping = computed(() => request.value === null && typers.active.value.size > 0);
    /** The person's messages in a request they sent: stored, or on their way. */
    const sentInRequest = computed(() =>
      request.value === "outgoing" ? messages.value.filter((message) => message.senderId === me.id).length : 0,
    );
    /** The person asked, and sent as many messages as a request allows until it is accepted. */
    const requestFull = computed(() => sentInRequest.value >= WIRE_LIMITS.messagesBeforeAccept);
    /** Presence is known while either socket is up; else the last word may be stale. */
    const presenceKnown = computed(
      () => socketState.value === "open" || (connections.value?.presenceKnown.value ?? false),
    );
    /** Global presence (hub), or in this room right now. */
    const otherOnline = computed(() => {
      if (request.value !== null) return false;
      const other = connection.value?.user.id;
      return Boolean(connection.value?.online || members.value.some((member) => member.id === other && member.online));
    });
    /** The highest seq any other member has read: our messages up to it get the "read" tick. */
    const readByOthers = computed(() =>
      group.value !== null
        ? readByAll()
        : request.value !== null
          ? 0
          : Object.entries(readUpTo.value).reduce(
              (max, [userId, seq]) => (userId === me.id ? max : Math.max(max, seq)),
              0,
            ),
    );
    /** In a group, a message counts as read (two ticks) once every other member has read it. */
    function readByAll(): number {
      const others = members.value.filter((member) => member.id !== me.id);
      if (others.length === 0) return 0;
      return Math.min(...others.map((member) => readUpTo.value[member.id] ?? 0));
    }

    let room: RoomConnection | null = null;
    let readSent = 0;
    let typingSentAt = 0;
    let typingIdle: ReturnType<typeof setTimeout> | undefined;

    const flushRead = () => {
      const seen = seenSeq.peek();
      if (!page.visible.value || seen <= readSent || !room) return;
      readSent = seen;
      room.read(seen);
      connections.peek()?.markRead(conversationId);
    };

    const onFrame = (frame: ServerMessage) => {
      switch (frame.type) {
        case "hello":
          members.value = frame.members;
          readUpTo.value = frame.readUpTo;
          if (frame.group) roomGroup.value = frame.group;
          visibleFromSeq.value = frame.visibleFromSeq ?? 0;
          readSent = Math.max(readSent, frame.readUpTo[me.id] ?? 0);
          seenSeq.value = Math.max(seenSeq.peek(), readSent);
          if (historyState.value === "error") void loadLatest();
          flushRead();
          return;
        case "members":
          members.value = frame.members;
          roomGroup.value = frame.group;
          return;
        case "message": {
          const before = stored.peek();
          stored.value = mergeMessages(before, [frame.message]);
          connections.peek()?.notePreview(frame.message);
          const { senderId, body, deleted } = frame.message;
          if (stored.peek() !== before && senderId !== me.id && !deleted) {
            const name = connection.peek()?.user.username ?? nameOf(senderId);
            announcement.value = name ? `${name}: ${body}` : body;
          }
          return;
        }
        case "deleted":
          stored.value = markDeleted(stored.value, frame.seq);
          connections.peek()?.noteDeleted(conversationId, frame.seq);
          return;
        case "ack": {
          // Shown as stored at once; the server's own copy (its time) follows in a "message" frame.
          const mine = unsent.peek().find((message) => message.id === frame.id);
          if (!mine) return;
          const { id, body, createdAt } = mine;
          const copy = { id, seq: frame.seq, conversationId, senderId: me.id, body, sentAt: createdAt };
          stored.value = mergeMessages(stored.value, [copy]);
          return;
        }
        case "typing":
          if (frame.userId !== me.id) showTyping(frame.userId, frame.on);
          return;
        case "read":
          readUpTo.value = {
            ...readUpTo.value,
            [frame.userId]: Math.max(frame.seq, readUpTo.value[frame.userId] ?? 0),
          };
          return;
        case "presence":
          members.value = members.value.map((member) =>
            member.id === frame.userId ? { ...member, online: frame.online } : member,
          );
          if (!frame.online && frame.userId !== me.id) showTyping(frame.userId, false);
          return;
        case "error":
          // One about a message of ours marks it in the outbox.
          if (!frame.id) notice.value = frame.message;
          return;
      }
    };

    /** A member's name: from the room, or else from the group as the list knows it. */
    const nameOf = (userId: string): string | null =>
      members.value.find((member) => member.id === userId)?.username ?? senderName(group.value, userId);

    const showTyping = (userId: string, on: boolean) => {
      typers.note(userId, on);
      connections.peek()?.typing.note(conversationId, on);
    };

    const stopTyping = () => {
      clearTimeout(typingIdle);
      if (typingSentAt === 0) return;
      typingSentAt = 0;
      room?.typing(false);
    };

    const loadLatest = async () => {
      historyState.value = "loading";
      try {
        const latest = await (opened.takeHistory() ?? api.messages(conversationId, null, HISTORY_PAGE));
        if (ended.peek()) return;
        stored.value = mergeMessages(stored.value, latest.messages);
        more.value = latest.hasMore;
        // Back far enough to open where the unread messages start.
        for (let pages = 0; pages < UNREAD_PAGES_MAX && hasMore.peek(); pages += 1) {
          const theirs = stored.peek().filter((message) => message.senderId !== me.id).length;
          if (theirs >= unreadAtOpen) break;
          const older = await api.messages(conversationId, stored.peek()[0]?.seq ?? null, HISTORY_PAGE_MAX);
          if (ended.peek()) return;
          stored.value = mergeMessages(stored.value, older.messages);
          more.value = older.hasMore;
        }
        if (firstUnreadId.peek() === null) firstUnreadId.value = firstUnread(stored.peek(), me.id, unreadAtOpen);
        historyState.value = "ready";
        historyError.value = null;
        room?.setBaseline(latest.messages.at(-1)?.seq ?? 0);
      } catch (error) {
        historyState.value = "error";
        historyError.value = errorMessage(error);
      }
    };

    effect(() => {
      const current = new RoomConnection(conversationId, outbox.conversation(conversationId), {
        onFrame,
        onState: (state) => {
          socketState.value = state;
        },
        onPaused: (until) => {
          pausedUntil.value = until;
        },
        onEnded: (ending) => {
          if (ending.kind === "replaced") {
            page.replaced.value = true;
            return;
          }
          if (ending.kind !== "conversation") return session.ended(ending);
          ended.value = true;
          stored.value = [];
          outbox.drop(conversationId);
          // Removed from a group, or left it in another tab: back to the list, which says so.
          if (!group.peek()) return;
          const reason = ending.reason === "left" ? "left" : "removed";
          const list = connections.peek();
          if (list) list.groups.gone(conversationId, reason);
          else void whenListed(connections).then((arrived) => arrived.groups.gone(conversationId, reason));
        },
      });
      room = current;
      return () => {
        stopTyping();
        typers.clear();
        connections.peek()?.typing.note(conversationId, false);
        current.close();
        room = null;
      };
    });

    // Read receipts wait until the tab is visible again.
    effect(() => {
      if (page.visible.value) untracked(flushRead);
    });

    // A list that loads after the chat (a direct link) may count what was read here as unread.
    effect(() => {
      const list = connections.value;
      if (list?.loaded.value && readSent > 0) untracked(() => list.markRead(conversationId));
    });

    void loadLatest();

    return {
      messages,
      hasMore,
      historyState,
      historyError,
      olderState,
      socketState,
      notice,
      otherTyping,
      otherOnline,
      presenceKnown,
      seenSeq,
      pausedUntil,
      announcement,
      firstUnreadId,
      readByOthers,
      ended,
      draft,
      connection,
      request,
      requestFull,
      group,
      /** In a group: its name and admins as the room last said them (group-chat.ts reads them). */
      roomGroup,
      members,
      readUpTo,
      /** Who is typing here now (a group names them: group-view.ts). */
      typingIds: typers.active,
      nameOf,
      /** Loads the page before the oldest message held (infinite scroll up). */
      async loadOlder() {
        if (!hasMore.value || olderState.value === "loading" || historyState.value !== "ready") return;
        const oldest = messages.value.find((message) => message.seq !== null)?.seq;
        if (oldest === undefined || oldest === null) return;
        olderState.value = "loading";
        try {
          const older = await api.messages(conversationId, oldest, HISTORY_PAGE);
          if (ended.peek()) return;
          stored.value = mergeMessages(stored.value, older.messages);
          more.value = older.hasMore;
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
      /** Sends the draft; false when there is nothing to send. */
      send(): boolean {
        const body = draft.value.trim();
        if (!body || body.length > WIRE_LIMITS.maxBodyChars || ended.value || requestFull.value) return false;
        outbox.add(conversationId, body);
        draft.value = "";
        stopTyping();
        return true;
      },
      retry(id: string) {
        outbox.retry(conversationId, id);
      },
      discard(id: string) {
        outbox.discard(conversationId, id);
      },
      /** The composer changed: tell the room we are typing, throttled, and stop after a pause. */
      typed(text: string) {
        draft.value = text;
        clearTimeout(typingIdle);
        if (!text.trim()) {
          stopTyping();
          return;
        }
        // Again every few seconds while typing goes on, so the other side keeps showing it.
        if (request.peek() === null && Date.now() - typingSentAt > TYPING_RESEND_MS) {
          typingSentAt = Date.now();
          room?.typing(true);
        }
        typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
      },
      /** A message of the other person's was on screen. */
      seen(seq: number) {
        if (seq <= seenSeq.peek()) return;
        seenSeq.value = seq;
        flushRead();
      },
      /** Deletes one of the person's own messages for everyone; false when the room cannot be reached now. */
      deleteForEveryone(seq: number): boolean {
        if (room?.delete(seq)) return true;
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
            connection.peek()?.user.username ?? (roomGroup.peek()?.name || group.peek()?.name || "conversation"),
          );
        } catch (error) {
          notice.value = `The conversation could not be downloaded: ${errorMessage(error)}`;
        }
      },
      dismissNotice() {
        notice.value = null;
      },
    };
  },
);

export type Chat = InstanceType<typeof ChatModel>;
