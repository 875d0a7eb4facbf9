import { describe, expect, it } from "vitest";
import type { Message } from "../../protocol/api";
import { SYSTEM_SENDER_ID } from "../../protocol/wire";
import { transcriptText } from "./transcript";

const at = "2026-01-01T12:00:00Z";
const line = (seq: number, senderId: string, body: string, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  seq,
  conversationId: "g1",
  senderId,
  body,
  sentAt: at,
  ...extra,
});

describe("a transcript", () => {
  it("names each sender, says a deleted message was deleted, and writes a group's changes as their sentences", () => {
    const text = transcriptText(
      [
        line(1, SYSTEM_SENDER_ID, "ann created the group “Lunch”"),
        line(2, "u-ann", "hello"),
        line(3, "u-bob", "", { deleted: true }),
        line(4, "u-gone", "I was here"),
      ],
      { "u-ann": "ann", "u-bob": "bob" },
    );
    expect(text.split("\n")).toEqual([
      `[${at}] ann created the group “Lunch”`,
      `[${at}] ann: hello`,
      `[${at}] bob: (message deleted)`,
      `[${at}] someone who left: I was here`,
    ]);
  });
});
