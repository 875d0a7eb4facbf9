import { signal } from "@preact/signals";
import { describe, expect, it, vi } from "vitest";
import type { Group, Message } from "../../../protocol/api";
import { CLOSE_CONVERSATION_ENDED } from "../../../protocol/wire";
import { socketsTo } from "../../../test/web/fake-websocket";
import { me, openChat, stored as storedIn, useFakeBrowser } from "../../../test/web/fixtures";
import { GroupViewModel } from "./group-view";

const members = [
  { id: "u-ann", username: "ann", online: true },
  { id: "u-bob", username: "bob", online: true },
  { id: "u-carol", username: "carol", online: false },
];

const group: Group = {
  id: "g1",
  name: "Lunch",
  members: members.map(({ id, username }) => ({ id, username, admin: id === "u-ann" })),
  createdBy: "u-ann",
  createdAt: "2026-01-01T00:00:00Z",
  muted: false,
  lastMessage: null,
  unread: 0,
  mentioned: false,
};

function stored(seq: number, senderId: string): Message {
  return storedIn(seq, senderId, "g1");
}

/** Ann's open group, over a fake room socket, with one page of `history` stored. */
async function annsGroup(history: Message[], hasMore: boolean, hello: object = {}) {
  const gone = vi.fn();
  const groups = { byId: signal(new Map([["g1", group]])), gone };
  const { chat, room } = await openChat("g1", { history, hasMore, connections: { groups } });
  room.accept({ conversationId: "g1", members, group: { name: "Lunch", admins: ["u-ann"] }, ...hello });
  const view = new GroupViewModel(chat, me);
  return { chat, view, room, gone };
}

useFakeBrowser();

describe("an open group", () => {
  it("shows history only from where the person joined, and pages no further back", async () => {
    const { chat } = await annsGroup(
      [3, 4, 5, 6].map((seq) => stored(seq, "u-bob")),
      true,
      { visibleFromSeq: 5 },
    );
    expect(chat.messages.value.map((message) => message.seq)).toEqual([5, 6]);
    expect(chat.hasMore.value).toBe(false);
  });

  it("pages back as usual for a member who was there from the start", async () => {
    const { chat } = await annsGroup(
      [3, 4].map((seq) => stored(seq, "u-bob")),
      true,
      { visibleFromSeq: 1 },
    );
    expect(chat.messages.value.map((message) => message.seq)).toEqual([3, 4]);
    expect(chat.hasMore.value).toBe(true);
  });

  it("says who is typing by name and who has seen the person's latest message", async () => {
    const { chat, view, room } = await annsGroup([stored(1, "u-ann"), stored(2, "u-bob"), stored(3, "u-ann")], false);
    room.receive({ type: "typing", userId: "u-bob", on: true });
    expect(view.typingText.value).toBe("bob is typing…");
    room.receive({ type: "typing", userId: "u-carol", on: true });
    expect(view.typingText.value).toBe("bob and carol are typing…");
    room.receive({ type: "typing", userId: "u-bob", on: false });
    room.receive({ type: "typing", userId: "u-carol", on: false });
    expect(view.typingText.value).toBeNull();

    room.receive({ type: "read", userId: "u-bob", seq: 3 });
    expect(view.seenBy.value).toEqual({ messageId: "m3", readers: [{ ...members[1] }] });
    // Two ticks only once everyone else has read it.
    expect(chat.readByOthers.value).toBe(0);
    room.receive({ type: "read", userId: "u-carol", seq: 3 });
    expect(chat.readByOthers.value).toBe(3);
    expect(view.seenBy.value?.readers.map((reader) => reader.username)).toEqual(["bob", "carol"]);
  });

  it("takes a new name and new members from a members frame", async () => {
    const { chat, view, room } = await annsGroup([], false);
    expect(view.isAdmin.value).toBe(true);
    room.receive({
      type: "members",
      members: members.slice(0, 2),
      group: { name: "Dinner", admins: ["u-bob"] },
    });
    expect(view.groupName.value).toBe("Dinner");
    expect(chat.members.value.map((member) => member.username)).toEqual(["ann", "bob"]);
    expect(view.isAdmin.value).toBe(false);
  });

  it("ends when the room closes it with 4003: the list hears why, and nothing of it is kept", async () => {
    const { chat, room, gone } = await annsGroup([stored(1, "u-bob")], false);
    room.serverClose(CLOSE_CONVERSATION_ENDED, "removed");
    expect(chat.ended.value).toBe(true);
    expect(chat.messages.value).toEqual([]);
    expect(gone).toHaveBeenCalledWith("g1", "removed");
    // It does not reconnect.
    expect(socketsTo("/api/conversations/g1/ws")).toHaveLength(1);
  });
});
