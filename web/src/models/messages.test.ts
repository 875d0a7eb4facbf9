import { describe, expect, it } from "vitest";
import type { Message } from "../../../protocol/api";
import type { ChatMessage } from "./messages";
import { acknowledge, dayKey, mergeMessages, setStatus } from "./messages";

function stored(seq: number, id = `m${seq}`, sentAt = `2025-03-10T12:00:0${seq % 10}Z`): Message {
  return { id, seq, conversationId: "c1", senderId: "bea", body: `message ${seq}`, sentAt };
}

function shown(message: Message): ChatMessage {
  return { ...message, status: "sent" };
}

function pending(id: string, body = id): ChatMessage {
  return {
    id,
    seq: null,
    conversationId: "c1",
    senderId: "ann",
    body,
    sentAt: "2025-03-10T12:00:30Z",
    status: "pending",
  };
}

const ids = (list: ChatMessage[]) => list.map((message) => message.id);

describe("merging messages from history, live frames and replays", () => {
  it("orders stored messages by seq whatever order they arrive in", () => {
    const merged = mergeMessages([], [stored(3), stored(1), stored(2)]);
    expect(ids(merged)).toEqual(["m1", "m2", "m3"]);
    expect(merged.every((message) => message.status === "sent")).toBe(true);
  });

  it("adds a message seen twice (live, then in a replay) once", () => {
    const once = mergeMessages([], [stored(1), stored(2)]);
    const twice = mergeMessages(once, [stored(2), stored(3)]);
    expect(ids(twice)).toEqual(["m1", "m2", "m3"]);
  });

  it("skips a message with a new id but a seq already held", () => {
    const merged = mergeMessages([shown(stored(1))], [stored(1, "other-id")]);
    expect(ids(merged)).toEqual(["m1"]);
  });

  it("returns the same array when nothing is new, so signals stay quiet", () => {
    const current = mergeMessages([], [stored(1), stored(2)]);
    expect(mergeMessages(current, [stored(2), stored(1)])).toBe(current);
    expect(mergeMessages(current, [])).toBe(current);
  });

  it("keeps unacknowledged messages after the stored ones, in the order written", () => {
    const merged = mergeMessages([pending("a"), pending("b")], [stored(2), stored(1)]);
    expect(ids(merged)).toEqual(["m1", "m2", "a", "b"]);
  });

  it("replaces our pending message with its stored copy, by id", () => {
    const merged = mergeMessages(
      [shown(stored(1)), pending("mine")],
      [{ ...stored(2, "mine"), senderId: "ann", body: "mine" }],
    );
    expect(ids(merged)).toEqual(["m1", "mine"]);
    expect(merged[1]).toMatchObject({ seq: 2, status: "sent" });
  });

  it("replaces a failed message that was stored after all", () => {
    const failed = setStatus([pending("mine")], "mine", "failed", "try again");
    const merged = mergeMessages(failed, [stored(1, "mine")]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ seq: 1, status: "sent" });
  });

  it("takes the server's time for an acknowledged message when its stored copy arrives", () => {
    const acked = acknowledge([pending("mine")], "mine", 1);
    const merged = mergeMessages(acked, [stored(1, "mine", "2025-03-10T12:00:31Z")]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.sentAt).toBe("2025-03-10T12:00:31Z");
  });
});

describe("acknowledging a sent message", () => {
  it("gives the pending message its seq and place among the stored ones", () => {
    const current = [pending("mine"), shown(stored(2))].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
    const next = acknowledge(current, "mine", 1);
    expect(ids(next)).toEqual(["mine", "m2"]);
    expect(next[0]).toMatchObject({ seq: 1, status: "sent" });
  });

  it("ignores an ack for a message it does not hold, or one already acknowledged", () => {
    const current = acknowledge([pending("mine")], "mine", 1);
    expect(acknowledge(current, "unknown", 5)).toBe(current);
    expect(acknowledge(current, "mine", 1)).toBe(current);
  });
});

describe("marking an unsent message", () => {
  it("changes only messages that have no seq yet", () => {
    const current = [shown(stored(1)), pending("mine")];
    const next = setStatus(current, "mine", "failed", "Too many messages");
    expect(next[1]).toMatchObject({ status: "failed", error: "Too many messages" });
    expect(setStatus(next, "m1", "failed")[0]!.status).toBe("sent");
  });
});

describe("the day of a message", () => {
  it("is the same for two times of one local day and differs across midnight", () => {
    expect(dayKey(new Date(2025, 2, 10, 0, 1).toISOString())).toBe(dayKey(new Date(2025, 2, 10, 23, 59).toISOString()));
    expect(dayKey(new Date(2025, 2, 10, 23, 59).toISOString())).not.toBe(
      dayKey(new Date(2025, 2, 11, 0, 1).toISOString()),
    );
  });
});
