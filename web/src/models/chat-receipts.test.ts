import { describe, expect, it } from "vitest";
import { annsChatWithBob, openChat, stored, useFakeBrowser, withBob } from "../../../test/web/fixtures";

const reads = (room: { frames(): { type: string }[] }) => room.frames().filter((frame) => frame.type === "read");

useFakeBrowser();

describe("read receipts in an open chat", () => {
  it("shows no read ticks while a message request is pending; once accepted, the other's cursor counts", async () => {
    const { chat, room, accept } = await annsChatWithBob(withBob("pending", "incoming"), [stored(1, "u-ann", "c1")]);
    room.receive({ type: "read", userId: "u-bob", seq: 9 });
    expect(chat.readByOthers.value).toBe(0);
    accept();
    expect(chat.readByOthers.value).toBe(9);
    // A cursor only moves forward.
    room.receive({ type: "read", userId: "u-bob", seq: 7 });
    expect(chat.readByOthers.value).toBe(9);
  });

  it("tells the room what was seen only while the tab is visible, and the list that it is read", async () => {
    const { chat, room, live, context } = await annsChatWithBob(withBob("accepted", "outgoing"));
    context.page.visible.value = false;
    chat.seen(3);
    expect(reads(room)).toEqual([]);
    context.page.visible.value = true;
    expect(reads(room)).toEqual([{ type: "read", seq: 3 }]);
    expect(live.value?.markRead).toHaveBeenCalledWith("c1");
    chat.seen(2);
    expect(reads(room)).toHaveLength(1);
  });

  it("takes the person's own cursor from the room: what another tab read is not sent again", async () => {
    const { chat, room } = await openChat("c1", { history: [] });
    room.accept({ readUpTo: { "u-ann": 7 } });
    expect(chat.seenSeq.value).toBe(7);
    chat.seen(5);
    expect(reads(room)).toEqual([]);
    chat.seen(8);
    expect(reads(room)).toEqual([{ type: "read", seq: 8 }]);
  });
});
