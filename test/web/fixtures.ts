/** For the models' tests: Ann's chat over a fake room socket and her list over a fake hub, with stand-ins for what they read. */
import type { Signal } from "@preact/signals";
import { signal } from "@preact/signals";
import { afterEach, beforeEach, expect, vi } from "vitest";
import type { Connection, Group, Message } from "../../protocol/api";
import type { ChatContext } from "../../web/src/models/chat";
import { ChatModel } from "../../web/src/models/chat";
import type { Connections } from "../../web/src/models/connections";
import { GroupViewModel } from "../../web/src/models/group-view";
import type { Notifications } from "../../web/src/models/notifications";
import { OpenedConversationModel } from "../../web/src/models/opened";
import type { Outbox, OutgoingMessage } from "../../web/src/models/outbox";
import type { StorageLike } from "../../web/src/models/outbox-store";
import type { Page } from "../../web/src/models/page";
import type { Session } from "../../web/src/models/session";
import { TypingTracker } from "../../web/src/models/typing";
import { FakeWebSocket, installFakeBrowser, socketsTo } from "./fake-websocket";

export const me = {
  id: "u-ann",
  username: "ann",
  createdAt: "2026-01-01T00:00:00Z",
  expiresAt: "2030-01-01T00:00:00Z",
};

/** An accepted contact, with a chat of their own. */
export function connection(username: string, lastMessage: Message | null = null): Connection {
  return {
    user: { id: `u-${username}`, username },
    conversationId: `c-${username}`,
    status: "accepted",
    direction: "outgoing",
    online: false,
    lastMessage,
    unread: 0,
  };
}

export function stored(seq: number, senderId: string, conversationId: string): Message {
  return { id: `m${seq}`, seq, conversationId, senderId, body: `message ${seq}`, sentAt: "2026-01-01T12:00:00Z" };
}

/** Web Storage over a Map: what localStorage does, for Node. */
export class MemoryStorage implements StorageLike {
  readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const disposers: (() => void)[] = [];

/**
 * Fake sockets for each test of the calling file, and fresh modules (some read the address bar
 * when they load); what was opened is disposed and the globals restored after it.
 */
export function useFakeBrowser(): void {
  beforeEach(() => {
    vi.resetModules();
    installFakeBrowser();
  });
  afterEach(() => {
    for (const dispose of disposers.splice(0)) dispose();
    vi.unstubAllGlobals();
  });
}

/**
 * Ann's chat in `conversationId` once its first page of `history` has loaded; the room socket is
 * returned unanswered. `connections` replaces parts of the loaded list's state (by default a list
 * with no conversations and no groups), or is null for a direct link whose list has not come yet:
 * then `live` is where it comes. The outbox keeps what is sent in `unsent`.
 */
export async function openChat(
  conversationId: string,
  {
    history,
    hasMore = false,
    connections = {},
    api = () => Response.json({ messages: history, hasMore }),
  }: {
    history: Message[];
    hasMore?: boolean;
    connections?: object | null;
    api?: (path: string) => Response;
  },
) {
  vi.stubGlobal("fetch", async (path: string) => api(path));
  const unsent: Signal<readonly OutgoingMessage[]> = signal([]);
  const outbox = {
    pending: () => unsent,
    conversation: () => ({ pending: unsent, acknowledge: vi.fn(), fail: vi.fn() }),
    add: (_conversationId: string, body: string) => {
      unsent.value = [...unsent.value, { id: `o${unsent.value.length}`, body, createdAt: "", status: "pending" }];
    },
    drop: vi.fn(),
  } as unknown as Outbox;
  const live = signal<Connections | null>(connections && listStandIn(connections));
  const context: ChatContext = {
    me,
    session: { ended: vi.fn() } as unknown as Session,
    connections: live,
    outbox,
    page: { visible: signal(true), replaced: signal(false) } as unknown as Page,
  };
  const opened = new OpenedConversationModel(conversationId, live);
  // As ChatWindow does: the chat opens once it is known what the conversation is.
  await vi.waitFor(() => expect(opened.known.value).toBe(true));
  const chat = new ChatModel(conversationId, context, opened);
  disposers.push(
    () => chat[Symbol.dispose](),
    () => opened[Symbol.dispose](),
  );
  await vi.waitFor(() => expect(chat.historyState.value).toBe("ready"));
  const room = socketsTo(`/api/conversations/${conversationId}/ws`)[0]!;
  return { chat, room, live, context };
}

/** Bob as Ann's contact in c1: accepted, or a message request one of them sent. */
export function withBob(status: Connection["status"], direction: Connection["direction"]): Connection {
  return {
    user: { id: "u-bob", username: "bob" },
    conversationId: "c1",
    status,
    direction,
    online: status === "accepted",
    lastMessage: null,
    unread: 0,
  };
}

/**
 * Ann's open chat with Bob (c1) over a fake room socket, with `history` already stored; the room
 * said hello, with Bob online in it and his read cursor at 5. `accept` makes the request a contact.
 */
export async function annsChatWithBob(connection: Connection, history: Message[] = []) {
  const byConversation = signal(new Map([["c1", connection]]));
  const opened = await openChat("c1", { history, connections: { byConversation } });
  opened.room.accept({ members: [{ id: "u-bob", username: "bob", online: true }], readUpTo: { "u-bob": 5 } });
  const accept = () => {
    byConversation.value = new Map([["c1", withBob("accepted", connection.direction)]]);
  };
  return { ...opened, accept };
}

/** The typing frames the client sent on a fake socket. */
export const typingFrames = (room: FakeWebSocket) => room.frames().filter((frame) => frame.type === "typing");

/** The members of Ann's group Lunch (g1), in the room's words: Carol is offline. */
export const lunchMembers = [
  { id: "u-ann", username: "ann", online: true },
  { id: "u-bob", username: "bob", online: true },
  { id: "u-carol", username: "carol", online: false },
];

/** Ann's group Lunch (g1) as her list knows it: she made it and is its admin. */
export const lunch: Group = {
  id: "g1",
  name: "Lunch",
  members: lunchMembers.map(({ id, username }) => ({ id, username, admin: id === "u-ann" })),
  createdBy: "u-ann",
  createdAt: "2026-01-01T00:00:00Z",
  muted: false,
  lastMessage: null,
  unread: 0,
  mentioned: false,
};

/**
 * Ann's open group Lunch, over a fake room socket, with one page of `history` stored; the room said
 * hello (with `hello` in it). `gone` is the list's word that the group ended for her.
 */
export async function annsGroup(history: Message[], hasMore: boolean, hello: object = {}) {
  const gone = vi.fn();
  const groups = { byId: signal(new Map([["g1", lunch]])), gone };
  const opened = await openChat("g1", { history, hasMore, connections: { groups } });
  opened.room.accept({
    conversationId: "g1",
    members: lunchMembers,
    group: { name: "Lunch", admins: ["u-ann"] },
    ...hello,
  });
  const view = new GroupViewModel(opened.chat, me);
  return { ...opened, view, gone };
}

/** The loaded list's state, as much of it as a chat reads, with `parts` in place of the defaults. */
export function listStandIn(parts: object): Connections {
  return {
    loaded: signal(true),
    loadError: signal(null),
    byConversation: signal(new Map()),
    groups: { byId: signal(new Map()) },
    presenceKnown: signal(true),
    typing: new TypingTracker(),
    notePreview: vi.fn(),
    noteDeleted: vi.fn(),
    markRead: vi.fn(),
    ...parts,
  } as unknown as Connections;
}

/**
 * Ann's list once it has loaded, live over a fake hub socket; `open` is the conversation in the
 * address bar. The REST API answers with `connections` and `groups`, or `api` plays it when given.
 * `show` records the notifications shown.
 */
export async function openList({
  connections: list = [],
  groups = [],
  api = (path) => Response.json(path === "/api/groups" ? { groups } : { connections: list }),
  open = null,
  user = null,
}: {
  connections?: Connection[];
  groups?: Group[];
  api?: (path: string, init: RequestInit) => Response;
  open?: string | null;
  user?: object | null;
}) {
  vi.stubGlobal("location", { protocol: "http:", host: "chat.test", pathname: open ? `/c/${open}` : "/" });
  vi.stubGlobal("history", { state: null, pushState() {}, replaceState() {} });
  vi.stubGlobal("fetch", async (path: string, init: RequestInit) => api(path, init));
  // These modules read the address bar when they load: after the fakes are in place.
  const { ConnectionsModel } = await import("../../web/src/models/connections");
  const { departureNotice } = await import("../../web/src/models/departure");
  const { route } = await import("../../web/src/models/route");
  const session = { user: signal(user), ended: vi.fn(), end: vi.fn() } as unknown as Session;
  const show = vi.fn();
  const notifications = { show } as unknown as Notifications;
  const page = { visible: signal(true) } as unknown as Page;
  const connections = new ConnectionsModel(session, notifications, page);
  disposers.push(() => connections[Symbol.dispose]());
  await vi.waitFor(() => expect(connections.loaded.value).toBe(true));
  const hub = socketsTo("/api/me/ws")[0]!;
  hub.readyState = FakeWebSocket.OPEN;
  (hub.onopen as unknown as () => void)();
  return { connections, hub, show, route, departureNotice };
}
