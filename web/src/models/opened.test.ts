import { signal } from "@preact/signals";
import { describe, expect, it, vi } from "vitest";
import { connection, listStandIn, openChat, stored, useFakeBrowser } from "../../../test/web/fixtures";
import type { Connections } from "./connections";
import { whenListed } from "./live-list";
import { OpenedConversationModel } from "./opened";

useFakeBrowser();

const bob = { ...connection("bob"), conversationId: "c1", unread: 2 };

/** The server's side of a direct link: the conversation alone, and its history. */
function directLinkApi(answer: () => Response) {
  const asked: string[] = [];
  const api = (path: string) => {
    asked.push(path);
    if (path === "/api/conversations/c1") return answer();
    return Response.json({ messages: [stored(1, "u-bob", "c1"), stored(2, "u-bob", "c1")], hasMore: false });
  };
  return { api, asked };
}

describe("a chat opened by a direct link, before the list has come", () => {
  it("knows the conversation from the server's word on it alone, and asks for no list", async () => {
    const { api, asked } = directLinkApi(() => Response.json({ connection: bob }));
    const { chat } = await openChat("c1", { history: [], connections: null, api });
    await vi.waitFor(() => expect(chat.connection.value?.user.username).toBe("bob"));
    // Its latest messages were asked for alongside it, not after it, and only once.
    expect(asked.slice(0, 2).sort()).toEqual(["/api/conversations/c1", "/api/conversations/c1/messages?limit=50"]);
    expect(asked.filter((path) => path.startsWith("/api/conversations/c1/messages"))).toHaveLength(1);
    expect(asked.some((path) => path === "/api/connections" || path === "/api/groups")).toBe(false);
    // Two unread when it opened: the divider goes before the first of them.
    expect(chat.firstUnreadId.value).toBe("m1");
  });

  it("hands over to the list once it has loaded: its word counts from then on, and what was read here is read there", async () => {
    const { api } = directLinkApi(() => Response.json({ connection: bob }));
    const { chat, room, live } = await openChat("c1", { history: [], connections: null, api });
    room.accept({ members: [{ id: "u-bob", username: "bob", online: true }], readUpTo: {} });
    await vi.waitFor(() => expect(chat.connection.value).not.toBeNull());
    chat.seen(2);
    expect(room.frames()).toContainEqual({ type: "read", seq: 2 });

    const loaded = signal(false);
    const list = listStandIn({
      loaded,
      byConversation: signal(new Map([["c1", { ...bob, lastSeenAt: "2026-01-01T10:00:00Z" }]])),
    });
    live.value = list;
    expect(list.markRead).not.toHaveBeenCalled();
    loaded.value = true;
    expect(list.markRead).toHaveBeenCalledWith("c1");
    expect(chat.connection.value?.lastSeenAt).toBe("2026-01-01T10:00:00Z");
  });

  it("asks for the latest messages at the same time as the conversation, not once it is known", () => {
    const fetch = vi.fn(async (_path: string) => new Promise<Response>(() => {}));
    vi.stubGlobal("fetch", fetch);
    const opened = new OpenedConversationModel("c1", signal(null));
    expect(fetch.mock.calls.map(([path]) => path)).toEqual([
      "/api/conversations/c1",
      "/api/conversations/c1/messages?limit=50",
    ]);
    expect(opened.takeHistory()).toBeInstanceOf(Promise);
    expect(opened.takeHistory()).toBeNull();
    opened[Symbol.dispose]();
  });

  it("says the conversation is not the person's when the server does not know it for them", async () => {
    vi.stubGlobal("fetch", async () =>
      Response.json({ error: { code: "conversation_not_found", message: "No such conversation." } }, { status: 404 }),
    );
    const opened = new OpenedConversationModel("c9", signal(null));
    await vi.waitFor(() => expect(opened.known.value).toBe(true));
    expect(opened.connection.value).toBeNull();
    expect(opened.group.value).toBeNull();
    expect(opened.problem.value).toBeNull();
    opened[Symbol.dispose]();
  });

  it("says why it could not ask, and asks again on retry", async () => {
    let online = false;
    vi.stubGlobal("fetch", async () => {
      if (!online) throw new TypeError("Failed to fetch");
      return Response.json({ connection: bob });
    });
    const opened = new OpenedConversationModel("c1", signal(null));
    await vi.waitFor(() => expect(opened.problem.value).toMatch(/Cannot reach the server/));
    expect(opened.known.value).toBe(false);
    online = true;
    await opened.retry();
    expect(opened.problem.value).toBeNull();
    expect(opened.connection.value?.user.username).toBe("bob");
    opened[Symbol.dispose]();
  });

  it("keeps the server's word while the list could not be loaded (an outage is not a missing conversation)", async () => {
    vi.stubGlobal("fetch", async () => Response.json({ connection: bob }));
    const failed = listStandIn({ loadError: signal("The server answered 503. Please try again.") });
    const opened = new OpenedConversationModel("c1", signal(failed));
    await vi.waitFor(() => expect(opened.connection.value?.user.username).toBe("bob"));
    opened[Symbol.dispose]();
  });

  it("does not ask the server when the list has already loaded", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const list = listStandIn({ byConversation: signal(new Map([["c1", bob]])) });
    const opened = new OpenedConversationModel("c1", signal(list));
    expect(opened.connection.value).toEqual(bob);
    expect(fetch).not.toHaveBeenCalled();
    opened[Symbol.dispose]();
  });
});

describe("whenListed", () => {
  it("waits for the list's model to arrive", async () => {
    const live = signal<Connections | null>(null);
    let arrived: Connections | null = null;
    void whenListed(live).then((list) => {
      arrived = list;
    });
    await Promise.resolve();
    expect(arrived).toBeNull();
    const list = listStandIn({});
    live.value = list;
    await vi.waitFor(() => expect(arrived).toBe(list));
  });
});
