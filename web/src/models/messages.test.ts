import { describe, expect, it } from "vitest";
import type { Message } from "../../../protocol/api";
import type { ChatMessage } from "./messages";
import { dayKey, firstUnread, markDeleted, mergeMessages, timeline } from "./messages";
import type { OutgoingMessage } from "./outbox";

function stored(seq: number, id = `m${seq}`, sentAt = `2025-03-10T12:00:0${seq % 10}Z`): Message {
  return { id, seq, conversationId: "c1", senderId: "bea", body: `message ${seq}`, sentAt };
}

function shown(message: Message): ChatMessage {
  return { ...message, status: "sent" };
}

function unsent(id: string, status: OutgoingMessage["status"] = "pending"): OutgoingMessage {
  const message: OutgoingMessage = { id, body: id, createdAt: "2025-03-10T12:00:30Z", status };
  return status === "failed" ? { ...message, error: "refused" } : message;
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

  it("takes the server's time for an acknowledged message when its stored copy arrives", () => {
    const acked = mergeMessages([], [{ ...stored(1, "mine"), sentAt: "2025-03-10T12:00:30Z" }]);
    const merged = mergeMessages(acked, [stored(1, "mine", "2025-03-10T12:00:31Z")]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.sentAt).toBe("2025-03-10T12:00:31Z");
  });
});

describe("a message deleted for everyone", () => {
  it("keeps its place without its body, from a deleted frame", () => {
    const current = mergeMessages([], [stored(1), stored(2)]);
    const after = markDeleted(current, 2);
    expect(after.map((message) => [message.id, message.body, message.deleted])).toEqual([
      ["m1", "message 1", undefined],
      ["m2", "", true],
    ]);
    expect(markDeleted(after, 2)).toBe(after);
  });

  it("replaces the copy held when history or a replay brings it deleted", () => {
    const current = mergeMessages([], [stored(1)]);
    const merged = mergeMessages(current, [{ ...stored(1), body: "", deleted: true }]);
    expect(merged[0]).toMatchObject({ body: "", deleted: true });
  });
});

describe("where unread messages start", () => {
  const mine = (seq: number): Message => ({ ...stored(seq), senderId: "me" });
  const list = mergeMessages([], [stored(1), mine(2), stored(3), mine(4), stored(5), stored(6)]);

  it("is the first of the last N messages from others, skipping the person's own", () => {
    expect(firstUnread(list, "me", 3)).toBe("m3");
    expect(firstUnread(list, "me", 1)).toBe("m6");
  });

  it("is nowhere with nothing unread, and the oldest held when more are unread than held", () => {
    expect(firstUnread(list, "me", 0)).toBeNull();
    expect(firstUnread(list, "me", 75)).toBe("m1");
  });
});

describe("the chat's timeline", () => {
  it("shows unsent messages after the stored ones, in the order written, as ours", () => {
    const shownList = timeline([shown(stored(1)), shown(stored(2))], [unsent("a"), unsent("b", "failed")], "c1", "ann");
    expect(ids(shownList)).toEqual(["m1", "m2", "a", "b"]);
    expect(shownList[2]).toMatchObject({ seq: null, status: "pending", senderId: "ann", conversationId: "c1" });
    expect(shownList[3]).toMatchObject({ status: "failed", error: "refused" });
  });

  it("shows a message once when its stored copy arrived before the outbox let go of it", () => {
    const shownList = timeline([shown(stored(1, "a"))], [unsent("a"), unsent("b")], "c1", "ann");
    expect(ids(shownList)).toEqual(["a", "b"]);
    expect(shownList[0]).toMatchObject({ seq: 1, status: "sent" });
  });

  it("is the stored list itself when nothing is waiting, so signals stay quiet", () => {
    const list = [shown(stored(1, "a"))];
    expect(timeline(list, [], "c1", "ann")).toBe(list);
    expect(timeline(list, [unsent("a")], "c1", "ann")).toBe(list);
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
