import { signal } from "@preact/signals";
import { describe, expect, it } from "vitest";
import {
  annsChatWithBob,
  annsGroup,
  lunchMembers,
  openChat,
  stored,
  useFakeBrowser,
  withBob,
} from "../../../test/web/fixtures";

useFakeBrowser();

describe("who an open chat is with", () => {
  it("shows no presence while a message request is pending; once accepted, it does", async () => {
    const { chat, accept } = await annsChatWithBob(withBob("pending", "incoming"), [stored(1, "u-ann", "c1")]);
    expect(chat.request.value).toBe("incoming");
    expect(chat.otherOnline.value).toBe(false);
    accept();
    expect(chat.request.value).toBeNull();
    expect(chat.otherOnline.value).toBe(true);
  });

  it("knows presence while the room's socket is up, or else while the list's hub is", async () => {
    const presenceKnown = signal(false);
    const { chat, room } = await openChat("c1", { history: [], connections: { presenceKnown } });
    expect(chat.presenceKnown.value).toBe(false);
    presenceKnown.value = true;
    expect(chat.presenceKnown.value).toBe(true);
    presenceKnown.value = false;
    room.accept();
    expect(chat.presenceKnown.value).toBe(true);
  });

  it("follows each member's presence in the room, and names members from the room, else from the group", async () => {
    const { chat, room } = await annsGroup([], false);
    room.receive({ type: "presence", userId: "u-carol", online: true });
    expect(chat.members.value.find((member) => member.id === "u-carol")?.online).toBe(true);

    room.receive({ type: "members", members: lunchMembers.slice(0, 2), group: { name: "Lunch", admins: ["u-ann"] } });
    expect(chat.nameOf("u-bob")).toBe("bob");
    // Carol left the room; the list's group still names her.
    expect(chat.nameOf("u-carol")).toBe("carol");
    expect(chat.nameOf("u-nobody")).toBeNull();
  });
});
