import { describe, expect, it } from "vitest";
import { annsChatWithBob, openChat, stored, useFakeBrowser, withBob } from "../../../test/web/fixtures";

useFakeBrowser();

describe("an open chat", () => {
  it("shows an error the room sends about no message as a notice, until dismissed", async () => {
    const { chat, room } = await annsChatWithBob(withBob("accepted", "outgoing"));
    chat.draft.value = "hi";
    chat.send();
    // About a message: the outbox marks it when it is still there, else it is old news.
    room.receive({ type: "error", code: "quota_exceeded", message: "Not this one.", id: "o0" });
    room.receive({ type: "error", code: "duplicate_id", message: "Not that one.", id: "o-gone" });
    expect(chat.notice.value).toBeNull();
    room.receive({ type: "error", code: "invalid_frame", message: "Something was wrong." });
    expect(chat.notice.value).toBe("Something was wrong.");
    chat.dismissNotice();
    expect(chat.notice.value).toBeNull();
  });

  it("deletes for everyone through the room, and says it cannot while the room is out of reach", async () => {
    const { chat, room } = await openChat("c1", { history: [stored(1, "u-ann", "c1")] });
    expect(chat.deleteForEveryone(1)).toBe(false);
    expect(chat.notice.value).toMatch(/offline/);
    room.accept();
    expect(chat.deleteForEveryone(1)).toBe(true);
    expect(room.frames()).toContainEqual({ type: "delete", seq: 1 });
  });

  it("keeps the list's preview of the conversation with what the room says", async () => {
    const { room, live } = await annsChatWithBob(withBob("accepted", "outgoing"));
    const message = stored(6, "u-bob", "c1");
    room.receive({ type: "message", message });
    expect(live.value?.notePreview).toHaveBeenCalledWith(message);
    room.receive({ type: "deleted", seq: 6 });
    expect(live.value?.noteDeleted).toHaveBeenCalledWith("c1", 6);
  });
});
