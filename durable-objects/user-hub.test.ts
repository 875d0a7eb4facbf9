import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Connection } from "../protocol/api";
import { api, connect, type Frame, openSocket, roomPath, signUp } from "../test/workers/helpers";
import { hubFor } from "./addresses";

const HUB = "/api/me/ws";
const presenceOf = (userId: string, online: boolean) => (frame: Frame) =>
  frame.type === "presence" && frame.userId === userId && frame.online === online;

async function onlineInList(viewerCookie: string, userId: string): Promise<boolean | undefined> {
  const { connections } = await (await api("/api/connections", { cookie: viewerCookie })).json<{
    connections: Connection[];
  }>();
  return connections.find((c) => c.user.id === userId)?.online;
}

describe("UserHub", () => {
  it("is online while any tab is open and tells connections when that changes", async () => {
    const ann = await signUp();
    const bob = await signUp();
    await connect(ann, bob);
    const bobHub = await openSocket(HUB, bob.cookie);
    expect(await bobHub.next(presenceOf(ann.user.id, false))).toBeTruthy();

    const tab1 = await openSocket(HUB, ann.cookie);
    await bobHub.next(presenceOf(ann.user.id, true));
    expect(await onlineInList(bob.cookie, ann.user.id)).toBe(true);
    const tab2 = await openSocket(HUB, ann.cookie);
    tab1.close();
    await tab1.waitClosed();
    expect(await onlineInList(bob.cookie, ann.user.id)).toBe(true);

    // Only the last tab's close is announced: had the first one been, two "offline" would arrive.
    tab2.close();
    await bobHub.next(presenceOf(ann.user.id, false));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bobHub.pending("presence")).toEqual([]);
    await expect.poll(() => onlineInList(bob.cookie, ann.user.id)).toBe(false);
    bobHub.close();
  });

  it("tells a new socket who of the connections is online now", async () => {
    const ann = await signUp();
    const bob = await signUp();
    await connect(ann, bob);
    const annHub = await openSocket(HUB, ann.cookie);
    const bobHub = await openSocket(HUB, bob.cookie);
    expect(await bobHub.next((f) => f.type === "presence" && f.userId === ann.user.id)).toMatchObject({ online: true });
    annHub.close();
    bobHub.close();
  });

  it("pushes unread counts and previews for messages in conversations not open, and clears them once read", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const annHub = await openSocket(HUB, ann.cookie);
    const bobRoom = await openSocket(roomPath(conversationId), bob.cookie);
    bobRoom.send({ type: "send", id: "u1", body: "are you there?" });
    bobRoom.send({ type: "send", id: "u2", body: "hello?" });
    // Notices are coalesced: the two messages may arrive as one notice of the latest state.
    const second = await annHub.next((f) => f.type === "unread" && f.unread === 2);
    expect(second).toMatchObject({ conversationId, lastMessage: { id: "u2", body: "hello?", senderId: bob.user.id } });

    const annRoom = await openSocket(roomPath(conversationId), ann.cookie);
    annRoom.send({ type: "read", seq: 2 });
    await bobRoom.nextOfType("read");
    // While ann is in the chat the room itself is her source; her hub catches up when she leaves.
    annRoom.close();
    expect(await annHub.next((f) => f.type === "unread" && f.unread === 0)).toMatchObject({
      lastMessage: { id: "u2" },
    });
    const { connections } = await (await api("/api/connections", { cookie: ann.cookie })).json<{
      connections: Connection[];
    }>();
    expect(connections[0]).toMatchObject({ unread: 0, lastMessage: { body: "hello?" } });
    for (const socket of [annHub, bobRoom, annRoom]) socket.close();
  });

  it("announces a new connection to the person who was added", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const bobHub = await openSocket(HUB, bob.cookie);
    const conversationId = await connect(ann, bob);
    const frame = await bobHub.nextOfType("connection");
    expect(frame.connection).toMatchObject({
      user: { id: ann.user.id, username: ann.user.username },
      conversationId,
      unread: 0,
    });
    await api(`/api/connections/${ann.user.id}`, { method: "DELETE", cookie: bob.cookie });
    expect(await bobHub.nextOfType("connection-removed")).toMatchObject({ userId: ann.user.id, conversationId });
    bobHub.close();
  });

  it("tells every tab when the account is deleted, and tells nothing of its content", async () => {
    const ann = await signUp();
    const bob = await signUp();
    await connect(ann, bob);
    const annHub = await openSocket(HUB, ann.cookie);
    const bobHub = await openSocket(HUB, bob.cookie);
    await api("/api/me", { method: "DELETE", cookie: ann.cookie });
    expect(await annHub.nextOfType("account-ended")).toEqual({ type: "account-ended", reason: "deleted" });
    expect((await annHub.waitClosed()).code).toBe(4001);
    expect(await bobHub.nextOfType("connection-removed")).toMatchObject({ userId: ann.user.id });
    bobHub.close();
  });

  it("keeps its sockets and pushes after being evicted from memory", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const annHub = await openSocket(HUB, ann.cookie);
    await evictDurableObject(hubFor(env, ann.user.id));
    const bobRoom = await openSocket(roomPath(conversationId), bob.cookie);
    bobRoom.send({ type: "send", id: "e1", body: "after eviction" });
    expect(await annHub.nextOfType("unread")).toMatchObject({ unread: 1, lastMessage: { body: "after eviction" } });
    annHub.send("ping");
    expect(await annHub.nextOfType("pong")).toEqual({ type: "pong" });
    annHub.close();
    bobRoom.close();
  });

  it("closes a socket whose heartbeats stopped and marks the user offline", async () => {
    const ann = await signUp();
    const bob = await signUp();
    await connect(ann, bob);
    const bobHub = await openSocket(HUB, bob.cookie);
    const annHub = await openSocket(HUB, ann.cookie);
    await bobHub.next(presenceOf(ann.user.id, true));
    // Age the socket as if its tab vanished without a close a long time ago.
    await runInDurableObject(hubFor(env, ann.user.id), (_hub, state) => {
      for (const ws of state.getWebSockets()) {
        ws.serializeAttachment({ ...(ws.deserializeAttachment() as object), connectedAt: Date.now() - 10 * 60_000 });
      }
      // The sweep is due later: bring it forward as time would.
      state.storage.sql.exec("UPDATE alarm_jobs SET due = 0 WHERE job = 'sweep'");
    });
    expect(await runDurableObjectAlarm(hubFor(env, ann.user.id))).toBe(true);
    expect((await annHub.waitClosed()).code).toBe(1001);
    await bobHub.next(presenceOf(ann.user.id, false));
    bobHub.close();
  });
});
