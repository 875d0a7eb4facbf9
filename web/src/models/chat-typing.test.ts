import { afterEach, describe, expect, it, vi } from "vitest";
import { annsChatWithBob, stored, typingFrames, useFakeBrowser, withBob } from "../../../test/web/fixtures";
import { TYPING_RESEND_MS } from "./typing";

useFakeBrowser();
afterEach(() => {
  vi.useRealTimers();
});

describe("typing in an open chat", () => {
  it("sends no typing and shows none while a message request is pending; once accepted, both flow", async () => {
    const { chat, room, accept } = await annsChatWithBob(withBob("pending", "incoming"), [stored(1, "u-ann", "c1")]);
    chat.typed("hello");
    expect(typingFrames(room)).toEqual([]);
    room.receive({ type: "typing", userId: "u-bob", on: true });
    expect(chat.otherTyping.value).toBe(false);

    accept();
    expect(chat.otherTyping.value).toBe(true);
    chat.typed("hello again");
    expect(typingFrames(room)).toEqual([{ type: "typing", on: true }]);
  });

  it("tells the room again every few seconds while the person types, and stops after a pause or once sent", async () => {
    const { chat, room } = await annsChatWithBob(withBob("accepted", "outgoing"));
    vi.useFakeTimers();
    chat.typed("h");
    chat.typed("he");
    expect(typingFrames(room)).toEqual([{ type: "typing", on: true }]);
    vi.advanceTimersByTime(TYPING_RESEND_MS + 1);
    chat.typed("hel");
    expect(typingFrames(room)).toHaveLength(2);
    vi.advanceTimersByTime(4_000);
    expect(typingFrames(room).at(-1)).toEqual({ type: "typing", on: false });

    chat.typed("again");
    expect(chat.send()).toBe(true);
    expect(typingFrames(room).slice(-2)).toEqual([
      { type: "typing", on: true },
      { type: "typing", on: false },
    ]);
    chat.typed("   ");
    expect(typingFrames(room)).toHaveLength(5);
  });

  it("shows the other person typing until they stop or go offline, here and in the list", async () => {
    const { chat, room, live } = await annsChatWithBob(withBob("accepted", "outgoing"));
    room.receive({ type: "typing", userId: "u-ann", on: true });
    expect(chat.otherTyping.value).toBe(false);
    room.receive({ type: "typing", userId: "u-bob", on: true });
    expect(chat.otherTyping.value).toBe(true);
    expect(live.value?.typing.active.value.has("c1")).toBe(true);
    room.receive({ type: "presence", userId: "u-bob", online: false });
    expect(chat.otherTyping.value).toBe(false);
    expect(live.value?.typing.active.value.has("c1")).toBe(false);
  });

  it("stops the person's typing when the chat closes, and shows nobody typing in the list any more", async () => {
    const { chat, room, live } = await annsChatWithBob(withBob("accepted", "outgoing"));
    room.receive({ type: "typing", userId: "u-bob", on: true });
    chat.typed("h");
    chat[Symbol.dispose]();
    expect(typingFrames(room)).toEqual([
      { type: "typing", on: true },
      { type: "typing", on: false },
    ]);
    expect(room.closedByClient).toBe(true);
    expect(live.value?.typing.active.value.has("c1")).toBe(false);
  });
});
