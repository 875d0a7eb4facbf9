import { computed, signal } from "@preact/signals";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../../../protocol/api";
import { CLOSE_CONVERSATION_ENDED, CLOSE_SESSION_ENDED } from "../../../protocol/wire";
import { FakeWebSocket, installFakeBrowser, socketsTo } from "../../../test/web/fake-websocket";
import { MemoryStorage } from "../../../test/web/fixtures";
import { RoomConnection } from "../net/room";
import { OutboxModel, provideRoomConnection } from "./outbox";
import { OutboxStore } from "./outbox-store";

function connection(conversationId: string): Connection {
  return {
    user: { id: `u-${conversationId}`, username: conversationId },
    conversationId,
    status: "accepted",
    direction: "outgoing",
    online: false,
    lastMessage: null,
    unread: 0,
  };
}

const roomPath = (conversationId: string) => `/api/conversations/${conversationId}/ws`;

/** The signed-in screen around the outbox: the connection list, the open chat, a page's storage. */
function setup(conversations = ["c1", "c2"]) {
  const storage = new MemoryStorage();
  const loaded = signal(true);
  const loadError = signal<string | null>(null);
  const byConversation = signal(new Map(conversations.map((id) => [id, connection(id)])));
  const open = signal<string | null>(null);
  const sessionEnded = vi.fn();
  const models: InstanceType<typeof OutboxModel>[] = [];
  const start = () => {
    const model = new OutboxModel(
      "ann",
      new OutboxStore(storage),
      { loaded, loadError, conversationIds: computed(() => new Set(byConversation.value.keys())) },
      open,
      sessionEnded,
    );
    models.push(model);
    return model;
  };
  const stop = () => {
    for (const model of models.splice(0)) model[Symbol.dispose]();
  };
  return { storage, loaded, loadError, byConversation, open, sessionEnded, start, stop };
}

let world: ReturnType<typeof setup>;

beforeEach(() => {
  // The room socket comes with the chat's chunk in the app; here it is there from the start.
  provideRoomConnection(RoomConnection);
  vi.useFakeTimers();
  installFakeBrowser();
});

afterEach(() => {
  world?.stop();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const ids = (list: readonly { id: string }[]) => list.map((message) => message.id);

describe("the outbox: one list of unsent messages per conversation", () => {
  it("shows a new message in pending(conversationId) and keeps it across a reload", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    const message = outbox.add("c1", "hello");
    expect(outbox.pending("c1").value).toEqual([
      expect.objectContaining({ id: message.id, body: "hello", status: "pending" }),
    ]);
    expect(outbox.pending("c2").value).toEqual([]);

    world.stop();
    const reloaded = world.start();
    expect(reloaded.pending("c1").value).toEqual([
      expect.objectContaining({ id: message.id, body: "hello", status: "pending" }),
    ]);
  });

  it("forgets a message once the server stored it, in memory and in storage", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    const first = outbox.add("c1", "one");
    const second = outbox.add("c1", "two");
    outbox.conversation("c1").acknowledge(first.id);
    expect(ids(outbox.pending("c1").value)).toEqual([second.id]);
    outbox.conversation("c1").acknowledge(second.id);
    expect(world.storage.items.size).toBe(0);
  });

  it("keeps a refused message as failed, with its reason, across a reload; retry puts it back in its place", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    const first = outbox.add("c1", "one");
    const second = outbox.add("c1", "two");
    outbox.conversation("c1").fail(first.id, "Could not store it");

    world.stop();
    const reloaded = world.start();
    expect(reloaded.pending("c1").value[0]).toMatchObject({
      id: first.id,
      status: "failed",
      error: "Could not store it",
    });
    reloaded.retry("c1", first.id);
    expect(reloaded.pending("c1").value.map(({ id, status, error }) => ({ id, status, error }))).toEqual([
      { id: first.id, status: "pending", error: undefined },
      { id: second.id, status: "pending", error: undefined },
    ]);
  });

  it("discards a message the person gave up on", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    const message = outbox.add("c1", "never mind");
    outbox.discard("c1", message.id);
    expect(outbox.pending("c1").value).toEqual([]);
    expect(world.storage.items.size).toBe(0);
  });
});

describe("sending in the background", () => {
  it("leaves the open chat's messages to the chat, and sends them in the background once it is left", async () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    const message = outbox.add("c1", "written, then switched chats");
    expect(socketsTo(roomPath("c1"))).toHaveLength(0);

    world.open.value = "c2";
    const [socket] = socketsTo(roomPath("c1"));
    socket!.accept();
    expect(socket!.sentIds()).toEqual([message.id]);

    socket!.receive({ type: "ack", id: message.id, seq: 3 });
    await Promise.resolve();
    expect(outbox.pending("c1").value).toEqual([]);
    expect(world.storage.items.size).toBe(0);
    // Done: the background socket closes.
    expect(socket!.closedByClient).toBe(true);
  });

  it("sends what an earlier visit left unsent, once the connection list is known", () => {
    world = setup();
    world.open.value = "c1";
    const earlier = world.start().add("c1", "from before the reload");
    world.stop();

    world.open.value = null;
    world.loaded.value = false;
    world.start();
    expect(socketsTo(roomPath("c1"))).toHaveLength(0);
    world.loaded.value = true;
    const [socket] = socketsTo(roomPath("c1"));
    socket!.accept();
    expect(socket!.sentIds()).toEqual([earlier.id]);
  });

  it("keeps what is written before the room socket's chunk is here, and sends it once it comes", async () => {
    provideRoomConnection(RoomConnection, { later: true });
    world = setup();
    const outbox = world.start();
    const message = outbox.add("c1", "written on the list page");
    expect(socketsTo(roomPath("c1"))).toHaveLength(0);
    expect(outbox.pending("c1").value.map(({ id }) => id)).toEqual([message.id]);

    await Promise.resolve();
    await Promise.resolve();
    const [socket] = socketsTo(roomPath("c1"));
    socket!.accept();
    expect(socket!.sentIds()).toEqual([message.id]);
  });

  it("stops the background socket when the person opens that chat: the chat sends its own", () => {
    world = setup();
    world.open.value = "c1";
    world.start().add("c1", "waiting");
    world.open.value = null;
    const [socket] = socketsTo(roomPath("c1"));
    world.open.value = "c1";
    expect(socket!.closedByClient).toBe(true);
  });

  it("does not send failed messages by itself", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    const message = outbox.add("c1", "refused");
    outbox.conversation("c1").fail(message.id, "no");
    world.open.value = null;
    expect(socketsTo(roomPath("c1"))).toHaveLength(0);
  });

  it("opens at most four background sockets; the next conversation starts when one is done", async () => {
    const conversations = ["c1", "c2", "c3", "c4", "c5", "c6"];
    world = setup(conversations);
    world.open.value = "c6";
    const outbox = world.start();
    const sent = new Map(conversations.slice(0, 5).map((id) => [id, outbox.add(id, `to ${id}`)]));
    world.open.value = null;
    const started = () => conversations.filter((id) => socketsTo(roomPath(id)).length > 0);
    expect(started()).toHaveLength(4);

    const [socket] = socketsTo(roomPath(started()[0]!));
    socket!.accept();
    socket!.receive({ type: "ack", id: sent.get(started()[0]!)!.id, seq: 1 });
    await Promise.resolve();
    expect(started()).toHaveLength(5);
    expect(FakeWebSocket.created.filter((candidate) => !candidate.closedByClient)).toHaveLength(4);
  });

  it("forgets the messages of a conversation that left the connection list", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    outbox.add("c2", "to someone who left");
    world.byConversation.value = new Map([["c1", connection("c1")]]);
    expect(outbox.pending("c2").value).toEqual([]);
    expect(world.storage.items.size).toBe(0);
  });

  it("drops a conversation's messages when its room says the conversation ended", () => {
    world = setup();
    world.open.value = "c1";
    const outbox = world.start();
    outbox.add("c2", "too late");
    const [socket] = socketsTo(roomPath("c2"));
    socket!.accept();
    socket!.serverClose(CLOSE_CONVERSATION_ENDED);
    expect(outbox.pending("c2").value).toEqual([]);
    expect(world.storage.items.size).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(socketsTo(roomPath("c2"))).toHaveLength(1);
  });

  it("reports a session that ended in another tab, as the room's socket says", () => {
    world = setup();
    world.open.value = "c1";
    world.start().add("c2", "after logout elsewhere");
    const [socket] = socketsTo(roomPath("c2"));
    socket!.accept();
    socket!.serverClose(CLOSE_SESSION_ENDED);
    expect(world.sessionEnded).toHaveBeenCalledWith({ kind: "session" });
  });

  it("closes every background socket when the signed-in screen goes away", () => {
    world = setup();
    world.open.value = "c1";
    world.start().add("c2", "still waiting");
    world.stop();
    expect(socketsTo(roomPath("c2"))[0]!.closedByClient).toBe(true);
  });
});
