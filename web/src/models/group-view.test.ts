import { describe, expect, it } from "vitest";
import type { Message } from "../../../protocol/api";
import { annsGroup, lunchMembers as members, stored as storedIn, useFakeBrowser } from "../../../test/web/fixtures";

function stored(seq: number, senderId: string): Message {
  return storedIn(seq, senderId, "g1");
}

useFakeBrowser();

describe("an open group's view", () => {
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
});
