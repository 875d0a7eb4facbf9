import { describe, expect, it, vi } from "vitest";
import type { Connection } from "../../../protocol/api";
import { connection, openList, useFakeBrowser } from "../../../test/web/fixtures";

/** Ann's connection list, live over a fake hub socket, with Carol's chat open or not. */
function annsList(open: string | null) {
  return openList({ connections: [connection("carol"), connection("dave")], open });
}

useFakeBrowser();

describe("a connection that leaves the list", () => {
  it("is announced by name when the other account ended, until dismissed", async () => {
    const { connections, hub, departureNotice } = await annsList(null);
    hub.receive({ type: "connection-removed", userId: "u-carol", conversationId: "c-carol", reason: "account-ended" });
    expect(connections.list.value.map((item) => item.user.username)).toEqual(["dave"]);
    expect(connections.departures.value).toEqual([
      { conversationId: "c-carol", username: "carol", reason: "account-ended" },
    ]);
    expect(departureNotice(connections.departures.value[0]!)).toBe(
      "carol's account ended; your conversation with them was deleted.",
    );
    connections.dismissDeparture("c-carol");
    expect(connections.departures.value).toEqual([]);
  });

  it("goes quietly when it was removed and its chat is not open (older servers give no reason)", async () => {
    const { connections, hub } = await annsList(null);
    hub.receive({ type: "connection-removed", userId: "u-carol", conversationId: "c-carol" });
    expect(connections.list.value).toHaveLength(1);
    expect(connections.departures.value).toEqual([]);
  });

  it("keeps its open chat in place to say the conversation was deleted; dismissing goes back to the list", async () => {
    const { connections, hub, route, departureNotice } = await annsList("c-carol");
    hub.receive({ type: "connection-removed", userId: "u-carol", conversationId: "c-carol", reason: "removed" });
    expect(route.value).toEqual({ name: "home", conversationId: "c-carol" });
    const departure = connections.departure("c-carol")!;
    expect(departureNotice(departure)).toBe("This conversation was deleted.");
    connections.dismissDeparture("c-carol");
    expect(route.value).toEqual({ name: "home", conversationId: null });
  });
});

function request(username: string, direction: "incoming" | "outgoing" = "incoming"): Connection {
  return { ...connection(username), status: "pending", direction };
}

/** Ann's list with requests in it; `answers` plays the REST API, by method and path. */
async function annsRequests(open: string | null, answers: Record<string, () => Response>) {
  const calls: string[] = [];
  const api = (path: string, init: RequestInit) => {
    const key = `${init.method} ${path}`;
    calls.push(key);
    const answer = answers[key] ?? (key === "GET /api/groups" ? () => Response.json({ groups: [] }) : undefined);
    if (!answer) throw new Error(`unexpected ${key}`);
    return answer();
  };
  return { ...(await openList({ api, open })), calls };
}

const names = (items: Connection[]) => items.map((item) => item.user.username);

describe("message requests", () => {
  const list = () =>
    Response.json({ connections: [request("carol"), connection("dave"), request("erin", "outgoing")] });

  it("lists requests sent to the person apart from contacts; one the person sent stays with the contacts", async () => {
    const { connections } = await annsRequests(null, { "GET /api/connections": list });
    expect(names(connections.requests.value)).toEqual(["carol"]);
    expect(names(connections.contacts.value)).toEqual(["dave", "erin"]);
  });

  it("moves a request that arrives live, and one accepted, by the hub's connection frames", async () => {
    const { connections, hub } = await annsRequests(null, { "GET /api/connections": list });
    hub.receive({ type: "connection", connection: request("fred") });
    expect(names(connections.requests.value).sort()).toEqual(["carol", "fred"]);
    hub.receive({ type: "connection", connection: { ...connection("erin"), direction: "outgoing" } });
    expect(connections.byConversation.value.get("c-erin")?.status).toBe("accepted");
    expect(names(connections.contacts.value).sort()).toEqual(["dave", "erin"]);
  });

  it("fetches the list again when the hub's count of requests still disagrees with it a moment later", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { connections, hub, calls } = await annsRequests(null, { "GET /api/connections": list });
      const fetches = () => calls.filter((call) => call === "GET /api/connections").length;
      // The count comes first, the request itself right after: no fetch.
      hub.receive({ type: "requests", pending: 2 });
      hub.receive({ type: "connection", connection: request("fred") });
      await vi.advanceTimersByTimeAsync(600);
      expect(fetches()).toBe(1);
      // A request that this tab never heard of: the list is fetched again.
      hub.receive({ type: "requests", pending: 3 });
      await vi.advanceTimersByTimeAsync(499);
      expect(fetches()).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(fetches()).toBe(2);
      expect(connections.requests.value).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("accepts a request: it becomes a contact", async () => {
    const { connections, calls } = await annsRequests(null, {
      "GET /api/connections": list,
      "POST /api/connections/u-carol/accept": () => Response.json({ connection: connection("carol") }),
    });
    await connections.accept("u-carol");
    expect(calls).toContain("POST /api/connections/u-carol/accept");
    expect(connections.requests.value).toEqual([]);
    expect(names(connections.contacts.value)).toContain("carol");
  });

  it("deletes an open request: it leaves the list and the screen with no notice, even as the hub says so", async () => {
    const { connections, hub, route, calls } = await annsRequests("c-carol", {
      "GET /api/connections": list,
      "DELETE /api/connections/u-carol": () => new Response(null, { status: 204 }),
    });
    await connections.decline("u-carol");
    expect(calls).toContain("DELETE /api/connections/u-carol");
    expect(route.value).toEqual({ name: "home", conversationId: null });
    hub.receive({ type: "connection-removed", userId: "u-carol", conversationId: "c-carol", reason: "removed" });
    expect(connections.byConversation.value.has("c-carol")).toBe(false);
    expect(connections.departures.value).toEqual([]);
  });

  it("closes an open request it deletes with no notice when the hub's word comes before the answer", async () => {
    let answer: ((response: Response) => void) | undefined;
    const { connections, hub, route } = await annsRequests("c-carol", {
      "GET /api/connections": list,
      "DELETE /api/connections/u-carol": () => new Promise<Response>((resolve) => (answer = resolve)) as never,
    });
    const declined = connections.decline("u-carol");
    await vi.waitFor(() => expect(answer).toBeDefined());
    hub.receive({ type: "connection-removed", userId: "u-carol", conversationId: "c-carol", reason: "removed" });
    answer!(new Response(null, { status: 204 }));
    await declined;
    expect(route.value).toEqual({ name: "home", conversationId: null });
    expect(connections.departures.value).toEqual([]);
  });

  it("blocks a person: POST /api/blocks, and their conversation goes", async () => {
    let body: unknown;
    const { connections, calls } = await annsRequests(null, { "GET /api/connections": list });
    vi.stubGlobal("fetch", async (path: string, init: RequestInit) => {
      calls.push(`${init.method} ${path}`);
      body = JSON.parse(String(init.body));
      return new Response(null, { status: 204 });
    });
    await connections.block("u-carol");
    expect(calls).toContain("POST /api/blocks");
    expect(body).toEqual({ userId: "u-carol" });
    expect(connections.byConversation.value.has("c-carol")).toBe(false);
  });

  it("keeps a request whose refusal failed, and says why", async () => {
    const { connections } = await annsRequests(null, {
      "GET /api/connections": list,
      "DELETE /api/connections/u-carol": () =>
        Response.json({ error: { code: "store_unavailable", message: "Try again" } }, { status: 503 }),
    });
    await expect(connections.decline("u-carol")).rejects.toMatchObject({ status: 503 });
    expect(names(connections.requests.value)).toEqual(["carol"]);
  });
});
