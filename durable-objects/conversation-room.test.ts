import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WIRE_LIMITS } from "../protocol/wire";
import { api, connect, type Frame, openSocket, request, roomPath, signUp, upgrade } from "../test/workers/helpers";
import { roomFor } from "./addresses";
import { ConversationLog } from "./room-log";

async function pair() {
  const alice = await signUp();
  const bob = await signUp();
  const conversationId = await connect(alice, bob);
  return { alice, bob, conversationId };
}

const isMessage = (body: string) => (frame: Frame) =>
  frame.type === "message" && (frame.message as { body: string }).body === body;

describe("ConversationRoom", () => {
  it("greets a member with hello and lets two members exchange messages", async () => {
    const { alice, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    const hello = await a.nextOfType("hello");
    expect(hello).toMatchObject({ conversationId, me: alice.user.id, lastSeq: 0 });
    expect((hello.members as { id: string }[]).map((m) => m.id).sort()).toEqual([alice.user.id, bob.user.id].sort());
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await b.nextOfType("hello");
    expect(await a.nextOfType("presence")).toMatchObject({ userId: bob.user.id, online: true });

    a.send({ type: "send", id: "m1", body: "  hi bob  " });
    expect(await a.nextOfType("ack")).toEqual({ type: "ack", id: "m1", seq: 1 });
    const received = await b.nextOfType("message");
    expect(received.message).toMatchObject({
      id: "m1",
      seq: 1,
      body: "hi bob",
      senderId: alice.user.id,
      conversationId,
    });
    expect(await a.nextOfType("message")).toMatchObject({ message: { id: "m1" } });

    b.send({ type: "send", id: "m2", body: "hi alice" });
    expect(await b.nextOfType("ack")).toMatchObject({ id: "m2", seq: 2 });
    expect(await a.next(isMessage("hi alice"))).toMatchObject({ message: { seq: 2, senderId: bob.user.id } });
    a.close();
    b.close();
  });

  it("refuses the upgrade to a non-member as for a room that does not exist (404)", async () => {
    const { conversationId } = await pair();
    const mallory = await signUp();
    const refused = await upgrade(roomPath(conversationId), mallory.cookie);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: "conversation_not_found" } });
    expect((await upgrade(roomPath("dm_nope"), mallory.cookie)).status).toBe(404);
  });

  it("refuses an upgrade without a session, from another origin, or without an Origin", async () => {
    const { alice, conversationId } = await pair();
    expect((await upgrade(roomPath(conversationId), "")).status).toBe(401);
    expect((await upgrade(roomPath(conversationId), alice.cookie, "https://evil.test")).status).toBe(403);
    expect((await upgrade(roomPath(conversationId), alice.cookie, null)).status).toBe(403);
    const plain = await api(roomPath(conversationId), { cookie: alice.cookie });
    expect(plain.status).toBe(426);
  });

  it("stores a resent message once and acknowledges it again with the same seq", async () => {
    const { alice, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    await a.nextOfType("hello");
    a.send({ type: "send", id: "same-id", body: "once" });
    const first = await a.nextOfType("ack");
    a.send({ type: "send", id: "same-id", body: "once" });
    const second = await a.nextOfType("ack");
    expect(second).toEqual(first);
    const history = await api(`/api/conversations/${conversationId}/messages`, { cookie: bob.cookie });
    const { messages } = await history.json<{ messages: unknown[] }>();
    expect(messages).toHaveLength(1);
    a.close();
  });

  it("refuses another member's message id instead of overwriting it", async () => {
    const { alice, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "taken", body: "mine" });
    await a.nextOfType("ack");
    b.send({ type: "send", id: "taken", body: "theirs" });
    expect(await b.nextOfType("error")).toMatchObject({ code: "duplicate_id", id: "taken" });
    a.close();
    b.close();
  });

  it("replays exactly the missed messages after resume", async () => {
    const { alice, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "r1", body: "one" });
    await b.next(isMessage("one"));
    b.close();
    for (const [id, body] of [
      ["r2", "two"],
      ["r3", "three"],
      ["r4", "four"],
    ]) {
      a.send({ type: "send", id, body });
      await a.nextOfType("ack");
    }
    const again = await openSocket(roomPath(conversationId), bob.cookie);
    expect(await again.nextOfType("hello")).toMatchObject({ lastSeq: 4 });
    again.send({ type: "resume", afterSeq: 1 });
    const replayed = [
      await again.nextOfType("message"),
      await again.nextOfType("message"),
      await again.nextOfType("message"),
    ];
    expect(replayed.map((frame) => (frame.message as { seq: number }).seq)).toEqual([2, 3, 4]);
    a.send({ type: "send", id: "r5", body: "five" });
    expect(await again.nextOfType("message")).toMatchObject({ message: { seq: 5 } });
    expect(again.pending("message")).toHaveLength(0);
    a.close();
    again.close();
  });

  it("tells a member who is in it and who asked without a socket, once a member opened it; a stranger nothing", async () => {
    const [alice, bob, mallory] = [await signUp(), await signUp(), await signUp()];
    const conversationId = await request(alice, bob);
    const room = roomFor(env, conversationId);
    // The room learns the conversation from the Worker when a member first opens a socket.
    expect(await room.conversationAs(alice.user.id)).toBeNull();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    await a.nextOfType("hello");
    a.close();
    const members = [alice, bob]
      .map(({ user }) => ({ id: user.id, username: user.username }))
      .sort((x, y) => (x.username < y.username ? -1 : 1));
    expect(await room.conversationAs(bob.user.id)).toEqual({ members, pendingFrom: alice.user.id, group: null });
    expect(await room.conversationAs(mallory.user.id)).toBeNull();

    const accepted = await api(`/api/connections/${alice.user.id}/accept`, { method: "POST", cookie: bob.cookie });
    expect(accepted.status).toBe(200);
    expect(await room.conversationAs(alice.user.id)).toEqual({ members, pendingFrom: null, group: null });

    const removed = await api(`/api/connections/${bob.user.id}`, { method: "DELETE", cookie: alice.cookie });
    expect(removed.status).toBe(204);
    expect(await room.conversationAs(alice.user.id)).toBeNull();
  });

  it("keeps its sockets and history when evicted from memory", async () => {
    const { alice, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "before", body: "before eviction" });
    expect(await a.nextOfType("ack")).toMatchObject({ id: "before", seq: 1 });
    await b.next(isMessage("before eviction"));
    await evictDurableObject(roomFor(env, conversationId));
    a.send({ type: "send", id: "after", body: "after eviction" });
    expect(await a.nextOfType("ack")).toMatchObject({ id: "after", seq: 2 });
    expect(await b.next(isMessage("after eviction"))).toMatchObject({ message: { seq: 2 } });
    const history = await api(`/api/conversations/${conversationId}/messages`, { cookie: alice.cookie });
    const { messages } = await history.json<{ messages: { id: string }[] }>();
    expect(messages.map((m) => m.id)).toEqual(["before", "after"]);
    a.close();
    b.close();
  });

  it("answers bad frames with error frames and stores nothing", async () => {
    const { alice, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    await a.nextOfType("hello");
    a.send("not json");
    expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_json" });
    a.send({ type: "shout", body: "x" });
    expect(await a.nextOfType("error")).toMatchObject({ code: "unknown_type" });
    a.send({ type: "send", id: "big", body: "x".repeat(WIRE_LIMITS.maxFrameBytes) });
    expect(await a.nextOfType("error")).toMatchObject({ code: "frame_too_large" });
    a.send({ type: "send", id: "long", body: "x".repeat(WIRE_LIMITS.maxBodyChars + 1) });
    expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
    a.send({ type: "send", id: "blank", body: "   " });
    expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
    a.send({ type: "send", id: "bad id!", body: "x" });
    expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
    const history = await api(`/api/conversations/${conversationId}/messages`, { cookie: alice.cookie });
    expect((await history.json<{ messages: unknown[] }>()).messages).toHaveLength(0);
    a.close();
  });

  it("refuses sends that come too fast, storing only those accepted", async () => {
    const { alice, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    await a.nextOfType("hello");
    const total = WIRE_LIMITS.sendBurst + 5;
    for (let i = 0; i < total; i++) a.send({ type: "send", id: `fast${i}`, body: `fast ${i}` });
    const outcomes = [];
    for (let i = 0; i < total; i++) outcomes.push(await a.next((f) => f.type === "ack" || f.type === "error"));
    const acks = outcomes.filter((f) => f.type === "ack");
    const errors = outcomes.filter((f) => f.type === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((f) => f.code === "rate_limited")).toBe(true);
    const history = await api(`/api/conversations/${conversationId}/messages?limit=100`, { cookie: alice.cookie });
    expect((await history.json<{ messages: unknown[] }>()).messages).toHaveLength(acks.length);
    a.close();
  });

  it("closes a socket that keeps breaking the protocol with 1008", async () => {
    const { alice, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    for (let i = 0; i <= WIRE_LIMITS.maxViolations; i++) a.send("garbage");
    expect((await a.waitClosed()).code).toBe(1008);
  });

  it("relays typing to the other member and read cursors to everyone", async () => {
    const { alice, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await b.nextOfType("hello");
    a.send({ type: "typing", on: true });
    expect(await b.nextOfType("typing")).toEqual({ type: "typing", userId: alice.user.id, on: true });
    a.send({ type: "send", id: "t1", body: "hello" });
    expect(await b.nextOfType("typing")).toEqual({ type: "typing", userId: alice.user.id, on: false });
    await b.next(isMessage("hello"));
    b.send({ type: "read", seq: 1 });
    expect(await a.nextOfType("read")).toEqual({ type: "read", userId: bob.user.id, seq: 1 });
    b.close();
    expect(await a.next((f) => f.type === "presence" && f.online === false)).toMatchObject({ userId: bob.user.id });
    const later = await openSocket(roomPath(conversationId), bob.cookie);
    expect(await later.nextOfType("hello")).toMatchObject({ readUpTo: { [bob.user.id]: 1 } });
    a.close();
    later.close();
  });

  it("keeps accepted messages past the archive watermark until they are archived", async () => {
    const { alice, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), alice.cookie);
    a.send({ type: "send", id: "o1", body: "archived later" });
    await a.nextOfType("ack");
    const { lastSeq, archivedThrough } = await runInDurableObject(roomFor(env, conversationId), (_room, state) => {
      const log = new ConversationLog(state.storage);
      return { lastSeq: log.messages.lastSeq(), archivedThrough: log.meta.archivedThrough() };
    });
    expect({ lastSeq, archivedThrough }).toEqual({ lastSeq: 1, archivedThrough: 0 });
    a.close();
  });
});
