import { signal } from "@preact/signals";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../../../protocol/api";
import { FakeWebSocket, installFakeBrowser, socketsTo } from "../net/fake-websocket";
import type { Notifications } from "./notifications";
import type { Page } from "./page";
import type { Session } from "./session";

function connection(username: string): Connection {
  return {
    user: { id: `u-${username}`, username },
    conversationId: `c-${username}`,
    status: "accepted",
    direction: "outgoing",
    online: false,
    lastMessage: null,
    unread: 0,
  };
}

const disposers: (() => void)[] = [];

/** Ann's connection list, live over a fake hub socket, with Carol's chat open or not. */
async function annsList(open: string | null) {
  vi.stubGlobal("location", { protocol: "http:", host: "chat.test", pathname: open ? `/c/${open}` : "/" });
  vi.stubGlobal("history", { state: null, pushState() {}, replaceState() {} });
  vi.stubGlobal("fetch", async () => Response.json({ connections: [connection("carol"), connection("dave")] }));
  // These modules read the address bar when they load: after the fakes are in place.
  const { ConnectionsModel, departureNotice } = await import("./connections");
  const { route } = await import("./route");
  const session = { user: signal(null), ended: vi.fn(), end: vi.fn() } as unknown as Session;
  const notifications = { show: vi.fn() } as unknown as Notifications;
  const page = { visible: signal(true) } as unknown as Page;
  const connections = new ConnectionsModel(session, notifications, page);
  disposers.push(() => connections[Symbol.dispose]());
  await vi.waitFor(() => expect(connections.list.value).toHaveLength(2));
  const hub = socketsTo("/api/me/ws")[0]!;
  hub.readyState = FakeWebSocket.OPEN;
  (hub.onopen as unknown as () => void)();
  return { connections, hub, route, departureNotice };
}

beforeEach(() => {
  vi.resetModules();
  installFakeBrowser();
});

afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  vi.unstubAllGlobals();
});

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
