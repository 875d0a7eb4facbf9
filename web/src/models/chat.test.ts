import { signal } from "@preact/signals";
import { describe, expect, it } from "vitest";
import type { Connection, Message } from "../../../protocol/api";
import type { FakeWebSocket } from "../../../test/web/fake-websocket";
import { openChat, stored as storedIn, useFakeBrowser } from "../../../test/web/fixtures";

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
  return storedIn(seq, senderId, "c1");
}

/** Ann's open chat with Bob, over a fake room socket, with `history` already stored. */
async function annsChat(connection: Connection, history: Message[] = []) {
  const byConversation = signal(new Map([["c1", connection]]));
  const { chat, room } = await openChat("c1", { history, connections: { byConversation } });
  room.accept({ members: [{ id: "u-bob", username: "bob", online: true }], readUpTo: { "u-bob": 5 } });
  const accept = () => {
    byConversation.value = new Map([["c1", withBob("accepted", connection.direction)]]);
  };
  return { chat, room, accept };
}

const typingFrames = (room: FakeWebSocket) => room.frames().filter((frame) => frame.type === "typing");

useFakeBrowser();

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
