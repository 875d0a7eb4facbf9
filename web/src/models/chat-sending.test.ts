import { describe, expect, it } from "vitest";
import { CLOSE_CONVERSATION_ENDED, WIRE_LIMITS } from "../../../protocol/wire";
import { annsChatWithBob, stored, useFakeBrowser, withBob } from "../../../test/web/fixtures";

const fromAnn = (seq: number) => stored(seq, "u-ann", "c1");

useFakeBrowser();

describe("sending from an open chat", () => {
  it("holds the person who asked to 3 messages, stored or on their way, until the request is accepted", async () => {
    const { chat, accept } = await annsChatWithBob(withBob("pending", "outgoing"), [fromAnn(1), fromAnn(2)]);
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
    const { chat } = await annsChatWithBob(withBob("pending", "incoming"), [
      stored(1, "u-bob", "c1"),
      stored(2, "u-bob", "c1"),
    ]);
    for (const body of ["one", "two", "three", "four"]) {
      chat.draft.value = body;
      expect(chat.send()).toBe(true);
    }
    expect(chat.requestFull.value).toBe(false);
  });

  it("sends the draft trimmed and empties it; nothing blank or too long goes, and the draft stays", async () => {
    const { chat, room } = await annsChatWithBob(withBob("accepted", "outgoing"));
    chat.draft.value = "  hi  ";
    expect(chat.send()).toBe(true);
    expect(chat.draft.value).toBe("");
    expect(room.frames().filter((frame) => frame.type === "send")).toEqual([{ type: "send", id: "o0", body: "hi" }]);

    for (const draft of ["   ", "x".repeat(WIRE_LIMITS.maxBodyChars + 1)]) {
      chat.draft.value = draft;
      expect(chat.send()).toBe(false);
      expect(chat.draft.value).toBe(draft);
    }
    expect(room.sentIds()).toEqual(["o0"]);
  });

  it("sends nothing once the conversation ended", async () => {
    const { chat, room } = await annsChatWithBob(withBob("accepted", "outgoing"));
    room.serverClose(CLOSE_CONVERSATION_ENDED);
    chat.draft.value = "too late";
    expect(chat.send()).toBe(false);
  });
});
