import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hubFor, roomFor } from "../../durable-objects/addresses";
import type { Message } from "../../protocol/api";
import { CLOSE_ACCOUNT_ENDED, CLOSE_CONVERSATION_ENDED, CLOSE_SESSION_ENDED } from "../../protocol/wire";
import { api, connect, HUB, login, openSocket, pair, roomPath } from "./helpers";

async function history(conversationId: string, cookie: string): Promise<Message[]> {
  const response = await api(`/api/conversations/${conversationId}/messages`, { cookie });
  expect(response.status).toBe(200);
  return (await response.json<{ messages: Message[] }>()).messages;
}

describe("endings reach every open socket", () => {
  it("logout closes that session's room and hub sockets at once, and no other session's", async () => {
    const { ann, bob, conversationId } = await pair();
    const otherDevice = await login(ann);
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    const hub = await openSocket(HUB, ann.cookie);
    const roomElsewhere = await openSocket(roomPath(conversationId), otherDevice.cookie);
    const bobRoom = await openSocket(roomPath(conversationId), bob.cookie);

    expect((await api("/api/auth/logout", { method: "POST", cookie: ann.cookie })).status).toBe(204);

    expect((await room.waitClosed()).code).toBe(CLOSE_SESSION_ENDED);
    expect((await hub.waitClosed()).code).toBe(CLOSE_SESSION_ENDED);
    roomElsewhere.send({ type: "send", id: "still-here", body: "the other device goes on" });
    expect(await roomElsewhere.nextOfType("ack")).toMatchObject({ id: "still-here" });
    expect(await bobRoom.next((f) => f.type === "message")).toMatchObject({ message: { id: "still-here" } });
    await expect(openSocket(roomPath(conversationId), ann.cookie)).rejects.toThrow(/401/);
    for (const socket of [roomElsewhere, bobRoom]) socket.close();
  });

  it("refuses a frame from a socket whose account has expired, and stores nothing", async () => {
    const { ann, bob, conversationId } = await pair();
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    await room.nextOfType("hello");
    await runInDurableObject(roomFor(env, conversationId), (_room, state) => {
      for (const ws of state.getWebSockets(ann.user.id)) {
        ws.serializeAttachment({ ...(ws.deserializeAttachment() as object), expiresAt: Date.now() - 1 });
      }
    });
    room.send({ type: "send", id: "too-late", body: "after the end" });
    const closed = await room.waitClosed();
    expect(closed).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "expired" });
    expect(room.pending("ack")).toEqual([]);
    expect(await history(conversationId, bob.cookie)).toEqual([]);
  });

  it("closes an expired account's sockets by the room's and the hub's own alarms, before any purge", async () => {
    const { ann, conversationId } = await pair();
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    const hub = await openSocket(HUB, ann.cookie);
    await room.nextOfType("hello");
    for (const stub of [roomFor(env, conversationId), hubFor(env, ann.user.id)]) {
      await runInDurableObject(stub, async (_object, state) => {
        for (const ws of state.getWebSockets(ann.user.id)) {
          ws.serializeAttachment({ ...(ws.deserializeAttachment() as object), expiresAt: Date.now() - 1 });
        }
        // The expiry job is due at the account's end: bring it forward as time would.
        state.storage.sql.exec("UPDATE alarm_jobs SET due = 0 WHERE job = 'expiry'");
        await state.storage.setAlarm(Date.now());
      });
      expect(await runDurableObjectAlarm(stub)).toBe(true);
    }
    expect(await room.waitClosed()).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "expired" });
    expect(await hub.waitClosed()).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "expired" });
  });

  it("deletion closes the account's sockets with its reason and the other member's with the conversation's end", async () => {
    const { ann, bob, conversationId } = await pair();
    const annRoom = await openSocket(roomPath(conversationId), ann.cookie);
    const bobRoom = await openSocket(roomPath(conversationId), bob.cookie);
    const bobHub = await openSocket(HUB, bob.cookie);
    expect((await api("/api/me", { method: "DELETE", cookie: ann.cookie })).status).toBe(204);
    expect(await annRoom.waitClosed()).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "deleted" });
    expect((await bobRoom.waitClosed()).code).toBe(CLOSE_CONVERSATION_ENDED);
    expect(await bobHub.nextOfType("connection-removed")).toEqual({
      type: "connection-removed",
      userId: ann.user.id,
      conversationId,
      reason: "account-ended",
    });
    bobHub.close();
  });
});

describe("objects after their end", () => {
  it("UserHub.endAccount is safe to repeat, and late calls are no-ops", async () => {
    const { ann, conversationId } = await pair();
    const hub = await openSocket(HUB, ann.cookie);
    const stub = hubFor(env, ann.user.id);
    await stub.endAccount("deleted");
    await stub.endAccount("deleted");
    expect((await hub.waitClosed()).code).toBe(CLOSE_ACCOUNT_ENDED);
    await stub.conversationActivity({ conversationId, lastMessage: null, unread: 3 });
    await stub.connectionRemoved("someone", conversationId, "removed");
    expect(await stub.summaries()).toEqual([]);
  });

  it("ConversationRoom.destroy is safe to repeat; history then answers an empty page", async () => {
    const { ann, conversationId } = await pair();
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    room.send({ type: "send", id: "d1", body: "soon gone" });
    await room.nextOfType("ack");
    const stub = roomFor(env, conversationId);
    await stub.destroy();
    await stub.destroy();
    expect((await room.waitClosed()).code).toBe(CLOSE_CONVERSATION_ENDED);
    expect(await stub.history(undefined, 50)).toEqual({ messages: [], hasMore: false });
  });
});

describe("removing a connection", () => {
  it("deletes the conversation for both: connecting again starts empty", async () => {
    const { ann, bob, conversationId } = await pair();
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    room.send({ type: "send", id: "r1", body: "before the removal" });
    await room.nextOfType("ack");
    expect((await api(`/api/connections/${ann.user.id}`, { method: "DELETE", cookie: bob.cookie })).status).toBe(204);
    expect((await room.waitClosed()).code).toBe(CLOSE_CONVERSATION_ENDED);

    expect(await connect(bob, ann)).toBe(conversationId);
    expect(await history(conversationId, ann.cookie)).toEqual([]);
    expect(await history(conversationId, bob.cookie)).toEqual([]);
    const again = await openSocket(roomPath(conversationId), bob.cookie);
    expect(await again.nextOfType("hello")).toMatchObject({ lastSeq: 0 });
    again.close();
  });
});
