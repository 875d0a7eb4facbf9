import { signal } from "@preact/signals";
import { describe, expect, it } from "vitest";
import type { Message } from "../../../protocol/api";
import { annsGroup, openChat, stored, useFakeBrowser, withBob } from "../../../test/web/fixtures";

const fromBob = (seq: number) => stored(seq, "u-bob", "c1");

/**
 * The history API over `count` of Bob's messages in c1 (seq 1 to count), paged as the server
 * pages them; `asked` lists each query. `fail` makes it answer 503 while true.
 */
function historyServer(count: number) {
  const asked: string[] = [];
  const server = {
    asked,
    fail: false,
    api: (path: string) => {
      const url = new URL(path, "http://chat.test");
      asked.push(url.search);
      if (server.fail) return Response.json({ error: { code: "unavailable", message: "Down." } }, { status: 503 });
      const before = Number(url.searchParams.get("before") ?? count + 1);
      const limit = Number(url.searchParams.get("limit"));
      const from = Math.max(1, before - limit);
      const messages = Array.from({ length: before - from }, (_, index) => fromBob(from + index));
      return Response.json({ messages, hasMore: from > 1 });
    },
  };
  return server;
}

/** The list knows c1 as Bob's, with `unread` messages unread. */
const bobUnread = (unread: number) => ({
  byConversation: signal(new Map([["c1", { ...withBob("accepted", "outgoing"), unread }]])),
});

useFakeBrowser();

describe("an open chat's history", () => {
  it("opens back far enough to show where the unread messages start, and marks the first of them", async () => {
    const server = historyServer(120);
    const { chat } = await openChat("c1", { history: [], api: server.api, connections: bobUnread(60) });
    expect(server.asked).toEqual(["?limit=50", "?limit=100&before=71"]);
    expect(chat.messages.value).toHaveLength(120);
    expect(chat.firstUnreadId.value).toBe("m61");
    expect(chat.hasMore.value).toBe(false);
  });

  it("opens at the latest page when nothing is unread", async () => {
    const server = historyServer(120);
    const { chat } = await openChat("c1", { history: [], api: server.api, connections: bobUnread(0) });
    expect(server.asked).toEqual(["?limit=50"]);
    expect(chat.firstUnreadId.value).toBeNull();
    expect(chat.hasMore.value).toBe(true);
  });

  it("loads the page before the oldest message on scrolling up, and says when it could not", async () => {
    const server = historyServer(120);
    const { chat } = await openChat("c1", { history: [], api: server.api });
    server.fail = true;
    await chat.loadOlder();
    expect(chat.olderState.value).toBe("error");
    expect(chat.historyError.value).not.toBeNull();
    chat.retryHistory();
    expect(chat.olderState.value).toBe("idle");

    server.fail = false;
    await chat.loadOlder();
    expect(server.asked.at(-1)).toBe("?limit=50&before=71");
    expect(chat.messages.value.map((message) => message.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 21 + i));
    expect(chat.olderState.value).toBe("idle");
    expect(chat.hasMore.value).toBe(true);
  });

  it("shows history only from where the person joined, and pages no further back", async () => {
    const { chat } = await annsGroup(
      [3, 4, 5, 6].map((seq) => stored(seq, "u-bob", "g1")),
      true,
      { visibleFromSeq: 5 },
    );
    expect(chat.messages.value.map((message) => message.seq)).toEqual([5, 6]);
    expect(chat.hasMore.value).toBe(false);
  });

  it("pages back as usual for a member who was there from the start", async () => {
    const { chat } = await annsGroup(
      [3, 4].map((seq) => stored(seq, "u-bob", "g1")),
      true,
      { visibleFromSeq: 1 },
    );
    expect(chat.messages.value.map((message) => message.seq)).toEqual([3, 4]);
    expect(chat.hasMore.value).toBe(true);
  });

  it("adds live messages once, shows the person's own as stored when acked, and empties one deleted in place", async () => {
    const { chat, room } = await openChat("c1", { history: [fromBob(1)] });
    room.accept();
    room.receive({ type: "message", message: fromBob(2) });
    room.receive({ type: "message", message: fromBob(2) });
    chat.draft.value = "mine";
    chat.send();
    room.receive({ type: "ack", id: "o0", seq: 3 });
    const shown = chat.messages.value;
    expect(shown.map((message) => [message.id, message.seq, message.status])).toEqual([
      ["m1", 1, "sent"],
      ["m2", 2, "sent"],
      ["o0", 3, "sent"],
    ]);

    room.receive({ type: "deleted", seq: 2 });
    expect(chat.messages.value[1]).toMatchObject({ id: "m2", body: "", deleted: true });
    expect(chat.messages.value).toHaveLength(3);
  });

  it("announces each new message from someone else by name, not the person's own, a repeat or a deleted one", async () => {
    const { chat, room } = await openChat("c1", {
      history: [],
      connections: { byConversation: signal(new Map([["c1", withBob("accepted", "outgoing")]])) },
    });
    room.accept();
    room.receive({ type: "message", message: fromBob(1) });
    expect(chat.announcement.value).toBe("bob: message 1");
    const quiet: Message[] = [stored(2, "u-ann", "c1"), { ...fromBob(3), body: "", deleted: true }];
    for (const message of quiet) room.receive({ type: "message", message });
    expect(chat.announcement.value).toBe("bob: message 1");
    chat.announcement.value = "";
    room.receive({ type: "message", message: fromBob(1) });
    expect(chat.announcement.value).toBe("");
  });
});
