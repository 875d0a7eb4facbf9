import type { Signal } from "@preact/signals";
import { signal } from "@preact/signals";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CLOSE_ACCOUNT_ENDED,
  CLOSE_CONVERSATION_ENDED,
  CLOSE_REPLACED,
  CLOSE_SESSION_ENDED,
} from "../../../protocol/wire";
import { FakeWebSocket, installFakeBrowser } from "../../../test/web/fake-websocket";
import type { ConversationOutbox, OutgoingMessage } from "../models/outbox";
import type { RoomHandlers } from "./room";
import { RATE_LIMIT_PAUSE_MS, RoomConnection, SEND_WINDOW } from "./room";

/** A conversation's outbox as a plain signal: what the room drains. */
function outboxOf(ids: string[]): ConversationOutbox & { list: Signal<readonly OutgoingMessage[]> } {
  const list = signal<readonly OutgoingMessage[]>(
    ids.map((id) => ({ id, body: `body of ${id}`, createdAt: "2025-03-10T12:00:00Z", status: "pending" })),
  );
  return {
    list,
    pending: list,
    acknowledge: (id) => {
      list.value = list.value.filter((message) => message.id !== id);
    },
    fail: (id, error) => {
      list.value = list.value.map((message) => (message.id === id ? { ...message, status: "failed", error } : message));
    },
  };
}

function add(outbox: ReturnType<typeof outboxOf>, id: string): void {
  outbox.list.value = [
    ...outbox.list.value,
    { id, body: `body of ${id}`, createdAt: "2025-03-10T12:00:00Z", status: "pending" },
  ];
}

function handlers() {
  return {
    onFrame: vi.fn<RoomHandlers["onFrame"]>(),
    onState: vi.fn<RoomHandlers["onState"]>(),
    onEnded: vi.fn<RoomHandlers["onEnded"]>(),
  };
}

let rooms: RoomConnection[] = [];

function connect(outbox: ConversationOutbox, on = handlers()) {
  const room = new RoomConnection("c1", outbox, on);
  rooms.push(room);
  return { room, on, socket: () => FakeWebSocket.created.at(-1)! };
}

beforeEach(() => {
  vi.useFakeTimers();
  installFakeBrowser();
});

afterEach(() => {
  for (const room of rooms) room.close();
  rooms = [];
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("a room connection draining its outbox", () => {
  it("opens the conversation's socket and sends nothing before the room says hello", () => {
    const { socket } = connect(outboxOf(["a"]));
    expect(new URL(socket().url).pathname).toBe("/api/conversations/c1/ws");
    socket().readyState = FakeWebSocket.OPEN;
    (socket().onopen as unknown as () => void)();
    expect(socket().sentIds()).toEqual([]);
  });

  it("sends waiting messages after the hello, oldest first, each with its own id", () => {
    const { socket } = connect(outboxOf(["a", "b", "c"]));
    socket().accept();
    expect(
      socket()
        .frames()
        .filter((frame) => frame.type === "send"),
    ).toEqual([
      { type: "send", id: "a", body: "body of a" },
      { type: "send", id: "b", body: "body of b" },
      { type: "send", id: "c", body: "body of c" },
    ]);
  });

  it("sends a message added while connected at once", () => {
    const outbox = outboxOf([]);
    const { socket } = connect(outbox);
    socket().accept();
    add(outbox, "late");
    expect(socket().sentIds()).toEqual(["late"]);
  });

  it(`keeps at most ${SEND_WINDOW} messages unanswered; each ack lets the next one go`, () => {
    const ids = Array.from({ length: SEND_WINDOW + 3 }, (_, index) => `m${index}`);
    const outbox = outboxOf(ids);
    const { socket } = connect(outbox);
    socket().accept();
    expect(socket().sentIds()).toEqual(ids.slice(0, SEND_WINDOW));

    socket().receive({ type: "ack", id: "m0", seq: 1 });
    expect(socket().sentIds()).toEqual(ids.slice(0, SEND_WINDOW + 1));
    socket().receive({ type: "ack", id: "m1", seq: 2 });
    socket().receive({ type: "ack", id: "m2", seq: 3 });
    expect(socket().sentIds()).toEqual(ids);
    // Nothing is sent twice while the socket stays up (short of a heartbeat going unanswered).
    vi.advanceTimersByTime(10_000);
    expect(socket().sentIds()).toEqual(ids);
  });

  it("removes an acknowledged message from the outbox after handing the ack on", () => {
    const outbox = outboxOf(["a", "b"]);
    const on = handlers();
    let heldWhenAcked: string[] = [];
    on.onFrame.mockImplementation((frame) => {
      if (frame.type === "ack") heldWhenAcked = outbox.list.peek().map((message) => message.id);
    });
    const { socket } = connect(outbox, on);
    socket().accept();
    socket().receive({ type: "ack", id: "a", seq: 7 });
    expect(outbox.list.value.map((message) => message.id)).toEqual(["b"]);
    // The chat can still find the body of the message the ack is about.
    expect(heldWhenAcked).toEqual(["a", "b"]);
    expect(on.onFrame).toHaveBeenCalledWith({ type: "ack", id: "a", seq: 7 });
  });

  it("pauses on a rate_limited refusal, then sends the same id again, not marking it failed", () => {
    const outbox = outboxOf(["a", "b"]);
    const { socket, on } = connect(outbox);
    socket().accept();
    socket().receive({ type: "ack", id: "a", seq: 1 });
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "b" });
    add(outbox, "c");
    expect(socket().sentIds()).toEqual(["a", "b"]);

    vi.advanceTimersByTime(RATE_LIMIT_PAUSE_MS - 1);
    expect(socket().sentIds()).toEqual(["a", "b"]);
    vi.advanceTimersByTime(1);
    // One at a time after a refusal: "c" goes once "b" is stored.
    expect(socket().sentIds()).toEqual(["a", "b", "b"]);
    expect(outbox.list.value.every((message) => message.status === "pending")).toBe(true);
    socket().receive({ type: "ack", id: "b", seq: 2 });
    expect(socket().sentIds()).toEqual(["a", "b", "b", "c"]);
    expect(on.onFrame).not.toHaveBeenCalledWith(expect.objectContaining({ type: "error" }));
  });

  it("sends one at a time after a rate_limited refusal until the outbox is empty, so the order holds", () => {
    const outbox = outboxOf(["a", "b", "c"]);
    const { socket } = connect(outbox);
    socket().accept();
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a" });
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "b" });
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "c" });
    vi.advanceTimersByTime(RATE_LIMIT_PAUSE_MS);
    expect(socket().sentIds()).toEqual(["a", "b", "c", "a"]);
    socket().receive({ type: "ack", id: "a", seq: 1 });
    expect(socket().sentIds()).toEqual(["a", "b", "c", "a", "b"]);
    socket().receive({ type: "ack", id: "b", seq: 2 });
    socket().receive({ type: "ack", id: "c", seq: 3 });
    // Emptied: the full window again.
    add(outbox, "d");
    add(outbox, "e");
    expect(socket().sentIds()).toEqual(["a", "b", "c", "a", "b", "c", "d", "e"]);
  });

  it("waits twice as long after a second refusal in a row", () => {
    const outbox = outboxOf(["a"]);
    const { socket } = connect(outbox);
    socket().accept();
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a" });
    vi.advanceTimersByTime(RATE_LIMIT_PAUSE_MS);
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a" });
    vi.advanceTimersByTime(2 * RATE_LIMIT_PAUSE_MS - 1);
    expect(socket().sentIds()).toEqual(["a", "a"]);
    vi.advanceTimersByTime(1);
    expect(socket().sentIds()).toEqual(["a", "a", "a"]);
  });

  it("waits out the pause the room names in retryAfterMs, not its own guess", () => {
    const onPaused = vi.fn<NonNullable<RoomHandlers["onPaused"]>>();
    const { socket } = connect(outboxOf(["a"]), Object.assign(handlers(), { onPaused }));
    socket().accept();
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a", retryAfterMs: 2_600 });
    expect(onPaused).toHaveBeenLastCalledWith(Date.now() + 2_600);
    vi.advanceTimersByTime(2_599);
    expect(socket().sentIds()).toEqual(["a"]);
    vi.advanceTimersByTime(1);
    expect(socket().sentIds()).toEqual(["a", "a"]);
    // A second refusal in a row that names its wait is not doubled either.
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a", retryAfterMs: 300 });
    expect(onPaused).toHaveBeenLastCalledWith(Date.now() + 300);
    vi.advanceTimersByTime(300);
    expect(socket().sentIds()).toEqual(["a", "a", "a"]);
  });

  it("keeps one pause for the refusals of sends already in flight, moved only by a later end", () => {
    const onPaused = vi.fn<NonNullable<RoomHandlers["onPaused"]>>();
    const { socket } = connect(outboxOf(["a", "b", "c"]), Object.assign(handlers(), { onPaused }));
    socket().accept();
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a", retryAfterMs: 1_000 });
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "b", retryAfterMs: 900 });
    // No figure: the named pause stands.
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "c" });
    expect(onPaused).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "c", retryAfterMs: 1_500 });
    expect(onPaused).toHaveBeenLastCalledWith(Date.now() + 1_500);
    vi.advanceTimersByTime(1_499);
    expect(socket().sentIds()).toEqual(["a", "b", "c"]);
    vi.advanceTimersByTime(1);
    expect(socket().sentIds()).toEqual(["a", "b", "c", "a"]);
  });

  it("marks a message the room refuses for another reason as failed, and stops sending it", () => {
    const outbox = outboxOf(["a", "b"]);
    const { socket } = connect(outbox);
    socket().accept();
    socket().receive({ type: "error", code: "internal_error", message: "Could not store it", id: "a" });
    expect(outbox.list.value[0]).toMatchObject({ id: "a", status: "failed", error: "Could not store it" });

    socket().serverClose(1006);
    vi.advanceTimersByTime(1_000);
    socket().accept();
    expect(socket().sentIds()).toEqual(["b"]);
  });

  it("sends everything unanswered again on a new socket, with the same ids, after a drop", () => {
    const outbox = outboxOf(["a", "b"]);
    const { socket, on } = connect(outbox);
    socket().accept();
    const first = socket();
    first.receive({ type: "ack", id: "a", seq: 1 });
    first.serverClose(1006);
    expect(on.onState).toHaveBeenLastCalledWith("connecting");

    vi.advanceTimersByTime(1_000);
    expect(socket()).not.toBe(first);
    socket().accept();
    expect(socket().sentIds()).toEqual(["b"]);
    expect(on.onState).toHaveBeenLastCalledWith("open");
  });

  it("asks the room to replay after the newest seq it holds, once that is known", () => {
    const { room, socket } = connect(outboxOf([]));
    socket().accept();
    expect(socket().frames()).toEqual([]);
    room.setBaseline(4);
    socket().receive({ type: "replayed", throughSeq: 4, more: false });
    socket().receive({
      type: "message",
      message: { id: "x", seq: 5, conversationId: "c1", senderId: "bea", body: "hi", sentAt: "2025-03-10T12:00:00Z" },
    });
    socket().serverClose(1006);
    vi.advanceTimersByTime(1_000);
    socket().accept();
    expect(socket().frames()).toEqual([{ type: "resume", afterSeq: 5 }]);
  });

  it("asks for the next page of the replay while the room says there is more, from where it stopped", () => {
    const { room, socket } = connect(outboxOf([]));
    socket().accept();
    room.setBaseline(10);
    expect(socket().frames()).toEqual([{ type: "resume", afterSeq: 10 }]);
    socket().receive({ type: "replayed", throughSeq: 210, more: true });
    expect(socket().frames().at(-1)).toEqual({ type: "resume", afterSeq: 210 });
    socket().receive({ type: "replayed", throughSeq: 350, more: false });
    expect(socket().frames()).toHaveLength(2);

    // The next socket resumes after the last page.
    socket().serverClose(1006);
    vi.advanceTimersByTime(1_000);
    socket().accept();
    expect(socket().frames()).toEqual([{ type: "resume", afterSeq: 350 }]);
  });

  it("keeps paging the replay from where it stopped even when a live message arrives in between", () => {
    const { room, socket } = connect(outboxOf([]));
    socket().accept();
    room.setBaseline(0);
    const live = (seq: number) => ({
      type: "message",
      message: { id: `m${seq}`, seq, conversationId: "c", senderId: "u", body: "live", sentAt: "2025-03-10T12:00:00Z" },
    });
    socket().receive(live(501));
    socket().receive({ type: "replayed", throughSeq: 200, more: true });
    expect(socket().frames().at(-1)).toEqual({ type: "resume", afterSeq: 200 });
    socket().receive({ type: "replayed", throughSeq: 500, more: false });
    // Replayed through 500 and 501 seen live: the next socket resumes after 501, with no gap.
    socket().serverClose(1006);
    vi.advanceTimersByTime(1_000);
    socket().accept();
    expect(socket().frames()).toEqual([{ type: "resume", afterSeq: 501 }]);
  });

  it("says until when sends are paused after a rate_limited refusal, and that they go again once one gets through", () => {
    const onPaused = vi.fn<NonNullable<RoomHandlers["onPaused"]>>();
    const { socket } = connect(outboxOf(["a"]), Object.assign(handlers(), { onPaused }));
    socket().accept();
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a" });
    expect(onPaused).toHaveBeenLastCalledWith(Date.now() + RATE_LIMIT_PAUSE_MS);
    vi.advanceTimersByTime(RATE_LIMIT_PAUSE_MS);
    socket().receive({ type: "error", code: "rate_limited", message: "Slow down", id: "a" });
    expect(onPaused).toHaveBeenLastCalledWith(Date.now() + 2 * RATE_LIMIT_PAUSE_MS);
    vi.advanceTimersByTime(2 * RATE_LIMIT_PAUSE_MS);
    expect(onPaused).not.toHaveBeenCalledWith(null);
    socket().receive({ type: "ack", id: "a", seq: 1 });
    expect(onPaused).toHaveBeenLastCalledWith(null);
  });

  it("sends a delete for everyone only while the room is there", () => {
    const { room, socket } = connect(outboxOf([]));
    expect(room.delete(3)).toBe(false);
    socket().accept();
    expect(room.delete(3)).toBe(true);
    expect(socket().frames()).toEqual([{ type: "delete", seq: 3 }]);
  });

  it("stops sending once closed", () => {
    const outbox = outboxOf([]);
    const { room, socket } = connect(outbox);
    socket().accept();
    room.close();
    add(outbox, "after");
    expect(socket().closedByClient).toBe(true);
    expect(socket().sentIds()).toEqual([]);
  });
});

describe("a room socket the server ends for good", () => {
  const endings = [
    { code: CLOSE_SESSION_ENDED, reason: "", ending: { kind: "session" } },
    { code: CLOSE_ACCOUNT_ENDED, reason: "deleted", ending: { kind: "account", reason: "deleted" } },
    { code: CLOSE_ACCOUNT_ENDED, reason: "expired", ending: { kind: "account", reason: "expired" } },
    { code: CLOSE_CONVERSATION_ENDED, reason: "", ending: { kind: "conversation" } },
    { code: CLOSE_REPLACED, reason: "", ending: { kind: "replaced" } },
    // Older servers: the account code with no account reason meant the conversation went away.
    { code: CLOSE_ACCOUNT_ENDED, reason: "conversation deleted", ending: { kind: "conversation" } },
  ];

  for (const { code, reason, ending } of endings) {
    it(`reports ${JSON.stringify(ending)} for ${code} "${reason}" and never reconnects`, () => {
      const outbox = outboxOf(["a"]);
      const { socket, on } = connect(outbox);
      socket().accept();
      const count = FakeWebSocket.created.length;
      socket().serverClose(code, reason);
      expect(on.onEnded).toHaveBeenCalledWith(ending);
      vi.advanceTimersByTime(120_000);
      expect(FakeWebSocket.created).toHaveLength(count);
      add(outbox, "b");
      expect(socket().sentIds()).toEqual(["a"]);
    });
  }

  it("reconnects after any other close", () => {
    const { socket, on } = connect(outboxOf([]));
    socket().accept();
    socket().serverClose(1011);
    vi.advanceTimersByTime(1_000);
    expect(FakeWebSocket.created).toHaveLength(2);
    expect(on.onEnded).not.toHaveBeenCalled();
  });
});
