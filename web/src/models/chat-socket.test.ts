import { describe, expect, it } from "vitest";
import { CLOSE_CONVERSATION_ENDED, CLOSE_REPLACED, CLOSE_SESSION_ENDED } from "../../../protocol/wire";
import { socketsTo } from "../../../test/web/fake-websocket";
import { annsChatWithBob, annsGroup, stored, useFakeBrowser, withBob } from "../../../test/web/fixtures";

useFakeBrowser();

describe("an open chat's room socket", () => {
  it("is open once the room said hello, and says when sends are paused and when they go again", async () => {
    const { chat, room } = await annsChatWithBob(withBob("accepted", "outgoing"));
    expect(chat.socketState.value).toBe("open");
    chat.draft.value = "hi";
    chat.send();
    const before = Date.now();
    room.receive({ type: "error", code: "rate_limited", message: "Slow down.", id: "o0", retryAfterMs: 5_000 });
    expect(chat.pausedUntil.value).toBeGreaterThanOrEqual(before + 5_000);
    room.receive({ type: "ack", id: "o0", seq: 1 });
    expect(chat.pausedUntil.value).toBeNull();
  });

  it("ends when the room closes it with 4003: the list hears why, and nothing of it is kept", async () => {
    const { chat, room, gone, context } = await annsGroup([stored(1, "u-bob", "g1")], false);
    room.serverClose(CLOSE_CONVERSATION_ENDED, "removed");
    expect(chat.ended.value).toBe(true);
    expect(chat.messages.value).toEqual([]);
    expect(gone).toHaveBeenCalledWith("g1", "removed");
    expect(context.outbox.drop).toHaveBeenCalledWith("g1");
    // It does not reconnect.
    expect(socketsTo("/api/conversations/g1/ws")).toHaveLength(1);
  });

  it("gives way to a newer tab (4004): the page says so, and the chat is not ended", async () => {
    const { chat, room, context } = await annsChatWithBob(withBob("accepted", "outgoing"));
    room.serverClose(CLOSE_REPLACED);
    expect(context.page.replaced.value).toBe(true);
    expect(chat.ended.value).toBe(false);
    expect(socketsTo("/api/conversations/c1/ws")).toHaveLength(1);
  });

  it("signs out when the session ended (4002)", async () => {
    const { chat, room, context } = await annsChatWithBob(withBob("accepted", "outgoing"));
    room.serverClose(CLOSE_SESSION_ENDED);
    expect(context.session.ended).toHaveBeenCalledWith({ kind: "session" });
    expect(chat.ended.value).toBe(false);
  });
});
