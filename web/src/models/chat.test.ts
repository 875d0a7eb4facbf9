import type { Signal } from "@preact/signals";
import { signal } from "@preact/signals";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connection, Message } from "../../../protocol/api";
import { type FakeWebSocket, installFakeBrowser, socketsTo } from "../net/fake-websocket";
import type { ChatContext } from "./chat";
import { ChatModel } from "./chat";
import type { Connections } from "./connections";
import type { Outbox, OutgoingMessage } from "./outbox";
import type { Page } from "./page";
import type { Session } from "./session";
import { TypingTracker } from "./typing";

const me = { id: "u-ann", username: "ann", createdAt: "2026-01-01T00:00:00Z", expiresAt: "2030-01-01T00:00:00Z" };

function withBob(status: Connection["status"], direction: Connection["direction"]): Connection {
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

function stored(seq: number, senderId: string): Message {
  return { id: `m${seq}`, seq, conversationId: "c1", senderId, body: `message ${seq}`, sentAt: "2026-01-01T12:00:00Z" };
}

const disposers: (() => void)[] = [];

/** Ann's open chat with Bob, over a fake room socket, with `history` already stored. */
async function annsChat(connection: Connection, history: Message[] = []) {
  vi.stubGlobal("fetch", async () => Response.json({ messages: history, hasMore: false }));
  const byConversation = signal(new Map([["c1", connection]]));
  const unsent: Signal<readonly OutgoingMessage[]> = signal([]);
  const connections = {
    byConversation,
    groups: { byId: signal(new Map()) },
    presenceKnown: signal(true),
    typing: new TypingTracker(),
    replaced: signal(false),
    notePreview: vi.fn(),
    noteDeleted: vi.fn(),
    markRead: vi.fn(),
  } as unknown as Connections;
  const outbox = {
    pending: () => unsent,
    conversation: () => ({ pending: unsent, acknowledge: vi.fn(), fail: vi.fn() }),
    add: (_conversationId: string, body: string) => {
      unsent.value = [...unsent.value, { id: `o${unsent.value.length}`, body, createdAt: "", status: "pending" }];
    },
    drop: vi.fn(),
  } as unknown as Outbox;
  const context: ChatContext = {
    me,
    session: { ended: vi.fn() } as unknown as Session,
    connections,
    outbox,
    page: { visible: signal(true) } as unknown as Page,
  };
  const chat = new ChatModel("c1", context);
  disposers.push(() => chat[Symbol.dispose]());
  await vi.waitFor(() => expect(chat.historyState.value).toBe("ready"));
  const room = socketsTo("/api/conversations/c1/ws")[0]!;
  room.accept({ members: [{ id: "u-bob", username: "bob", online: true }], readUpTo: { "u-bob": 5 } });
  const accept = () => {
    byConversation.value = new Map([["c1", withBob("accepted", connection.direction)]]);
  };
  return { chat, room, accept };
}

const typingFrames = (room: FakeWebSocket) => room.frames().filter((frame) => frame.type === "typing");

beforeEach(() => installFakeBrowser());

afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  vi.unstubAllGlobals();
});

describe("a chat that is still a message request", () => {
  it("holds the person who asked to 3 messages, stored or on their way, until the request is accepted", async () => {
    const { chat, accept } = await annsChat(withBob("pending", "outgoing"), [stored(1, "u-ann"), stored(2, "u-ann")]);
    expect(chat.request.value).toBe("outgoing");
    chat.draft.value = "the third";
    expect(chat.send()).toBe(true);
    expect(chat.requestFull.value).toBe(true);
    chat.draft.value = "a fourth";
    expect(chat.send()).toBe(false);
    expect(chat.draft.value).toBe("a fourth");

    accept();
    expect(chat.request.value).toBeNull();
    expect(chat.requestFull.value).toBe(false);
    expect(chat.send()).toBe(true);
  });

  it("lets the person asked reply as often as they like", async () => {
    const { chat } = await annsChat(withBob("pending", "incoming"), [stored(1, "u-bob"), stored(2, "u-bob")]);
    for (const body of ["one", "two", "three", "four"]) {
      chat.draft.value = body;
      expect(chat.send()).toBe(true);
    }
    expect(chat.requestFull.value).toBe(false);
  });

  it("sends no typing and shows no presence, typing or read ticks, whatever the room says", async () => {
    const { chat, room, accept } = await annsChat(withBob("pending", "incoming"), [stored(1, "u-ann")]);
    chat.typed("hello");
    expect(typingFrames(room)).toEqual([]);
    room.receive({ type: "typing", userId: "u-bob", on: true });
    room.receive({ type: "read", userId: "u-bob", seq: 9 });
    expect(chat.otherTyping.value).toBe(false);
    expect(chat.otherOnline.value).toBe(false);
    expect(chat.readByOthers.value).toBe(0);

    // Once accepted, they flow.
    accept();
    expect(chat.otherOnline.value).toBe(true);
    expect(chat.otherTyping.value).toBe(true);
    expect(chat.readByOthers.value).toBe(9);
    chat.typed("hello again");
    expect(typingFrames(room)).toEqual([{ type: "typing", on: true }]);
  });
});
