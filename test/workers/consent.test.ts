import { describe, expect, it } from "vitest";
import type { Connection, UserSummary } from "../../protocol/api";
import { RATE_RULES } from "../../server/rate-limit";
import { api, connect, type Frame, HUB, openSocket, request, roomPath, signUp } from "./helpers";

async function connectionsOf(cookie: string): Promise<Connection[]> {
  return (await (await api("/api/connections", { cookie })).json<{ connections: Connection[] }>()).connections;
}

async function search(cookie: string, q: string): Promise<UserSummary[]> {
  const response = await api(`/api/users?q=${encodeURIComponent(q)}`, { cookie });
  expect(response.status).toBe(200);
  return (await response.json<{ users: UserSummary[] }>()).users;
}

describe("message requests", () => {
  it("shows a request to both sides with who asked, and only the person asked can accept it", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const bobHub = await openSocket(HUB, bob.cookie);
    await request(ann, bob);
    expect(await bobHub.nextOfType("connection")).toMatchObject({
      connection: { user: { id: ann.user.id }, status: "pending", direction: "incoming" },
    });
    expect(await bobHub.nextOfType("requests")).toEqual({ type: "requests", pending: 1 });
    expect((await connectionsOf(ann.cookie))[0]).toMatchObject({ status: "pending", direction: "outgoing" });

    const byAsker = await api(`/api/connections/${bob.user.id}/accept`, { method: "POST", cookie: ann.cookie });
    expect(byAsker.status).toBe(404);
    expect(await byAsker.json()).toMatchObject({ error: { code: "connection_not_found" } });

    const accepted = await api(`/api/connections/${ann.user.id}/accept`, { method: "POST", cookie: bob.cookie });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ connection: { status: "accepted", direction: "incoming" } });
    expect(await bobHub.next((frame) => frame.type === "requests" && frame.pending === 0)).toBeTruthy();
    expect((await connectionsOf(ann.cookie))[0]).toMatchObject({ status: "accepted", direction: "outgoing" });
    bobHub.close();
  });

  it("lets the person who asked send three messages, and refuses the fourth until accepted", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await request(ann, bob);
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    for (let i = 1; i <= 3; i++) {
      a.send({ type: "send", id: `ask-${i}`, body: `hello ${i}` });
      expect(await a.nextOfType("ack")).toMatchObject({ id: `ask-${i}` });
    }
    a.send({ type: "send", id: "ask-4", body: "are you there?" });
    expect(await a.nextOfType("error")).toMatchObject({ code: "request_pending", id: "ask-4" });
    // Replying is not accepting: bob may answer, and ann is still held to three.
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    b.send({ type: "send", id: "reply", body: "who is this?" });
    expect(await b.nextOfType("ack")).toMatchObject({ id: "reply" });
    a.send({ type: "send", id: "ask-4", body: "are you there?" });
    expect(await a.nextOfType("error")).toMatchObject({ code: "request_pending" });

    expect((await api(`/api/connections/${ann.user.id}/accept`, { method: "POST", cookie: bob.cookie })).status).toBe(
      200,
    );
    a.send({ type: "send", id: "ask-4", body: "are you there?" });
    expect(await a.nextOfType("ack")).toMatchObject({ id: "ask-4" });
    a.close();
    b.close();
  });

  it("lets no presence, typing or read receipt through before acceptance, either way", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await request(ann, bob);
    const annHub = await openSocket(HUB, ann.cookie);
    const bobHub = await openSocket(HUB, bob.cookie);
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    expect(await a.nextOfType("hello")).toMatchObject({
      members: expect.arrayContaining([expect.objectContaining({ id: bob.user.id, online: false })]),
    });
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    const hello = await b.nextOfType("hello");
    expect((hello.members as { id: string; online: boolean }[]).find((m) => m.id === ann.user.id)?.online).toBe(false);
    a.send({ type: "send", id: "hi", body: "hi" });
    await b.nextOfType("message");
    b.send({ type: "read", seq: 1 });
    b.send({ type: "typing", on: true });
    a.send({ type: "typing", on: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const leaks = (socket: { pending: (type?: string) => Frame[] }) =>
      socket.pending().filter((frame) => ["presence", "typing", "read"].includes(frame.type));
    expect(leaks(a)).toEqual([]);
    expect(leaks(b)).toEqual([]);
    expect(annHub.pending("presence").filter((frame) => frame.userId === bob.user.id && frame.online)).toEqual([]);
    expect(bobHub.pending("presence").filter((frame) => frame.userId === ann.user.id && frame.online)).toEqual([]);
    expect((await connectionsOf(bob.cookie))[0]).toMatchObject({ online: false, lastSeenAt: null });
    for (const socket of [a, b, annHub, bobHub]) socket.close();
  });
});

describe("blocking", () => {
  it("removes the conversation, hides the blocker from search and refuses their requests", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await request(ann, bob);
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    expect((await api("/api/blocks", { cookie: bob.cookie, body: { userId: ann.user.id } })).status).toBe(204);
    expect((await a.waitClosed()).code).toBe(4003);
    expect(await connectionsOf(ann.cookie)).toEqual([]);
    expect((await search(ann.cookie, bob.user.username)).map((user) => user.id)).not.toContain(bob.user.id);
    const again = await api("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: "user_not_found" } });
    const blocked = await (await api("/api/blocks", { cookie: bob.cookie })).json<{ blocked: { id: string }[] }>();
    expect(blocked.blocked.map((user) => user.id)).toEqual([ann.user.id]);

    expect((await api(`/api/blocks/${ann.user.id}`, { method: "DELETE", cookie: bob.cookie })).status).toBe(204);
    expect((await search(ann.cookie, bob.user.username)).map((user) => user.id)).toContain(bob.user.id);
  });
});

describe("privacy", () => {
  it("shows no presence in search", async () => {
    const ann = await signUp();
    const bob = await signUp();
    await connect(ann, bob);
    const hub = await openSocket(HUB, bob.cookie);
    const found = await search(ann.cookie, bob.user.username);
    expect(found.find((user) => user.id === bob.user.id)).toMatchObject({ online: false });
    hub.close();
  });

  it("limits searches per user", async () => {
    const ann = await signUp();
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_RULES.searchPerUser.limit; i++) {
      statuses.push((await api(`/api/users?q=x${i}`, { cookie: ann.cookie })).status);
    }
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it("limits requests per user", async () => {
    const ann = await signUp();
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_RULES.requestPerUser.limit; i++) {
      const other = await signUp();
      statuses.push((await api("/api/connections", { cookie: ann.cookie, body: { userId: other.user.id } })).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("invite links", () => {
  it("connects whoever opens one to the inviter, accepted on both sides, once", async () => {
    const ann = await signUp();
    const created = await api("/api/invites", { cookie: ann.cookie, body: {} });
    expect(created.status).toBe(201);
    const { invite } = await created.json<{ invite: { token: string; expiresAt: string } }>();
    expect(invite.token).not.toContain(ann.user.id);
    expect(Date.parse(invite.expiresAt)).toBeLessThanOrEqual(Date.parse(ann.user.expiresAt));

    const landing = await api(`/api/invites/${invite.token}`);
    expect(await landing.json()).toEqual({ inviter: { username: ann.user.username } });
    expect((await api(`/api/invites/${invite.token}/accept`, { method: "POST", cookie: ann.cookie })).status).toBe(404);

    const bob = await signUp();
    const accepted = await api(`/api/invites/${invite.token}/accept`, { method: "POST", cookie: bob.cookie });
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ connection: { user: { id: ann.user.id }, status: "accepted" } });
    expect((await connectionsOf(ann.cookie))[0]).toMatchObject({ user: { id: bob.user.id }, status: "accepted" });

    const carol = await signUp();
    const reused = await api(`/api/invites/${invite.token}/accept`, { method: "POST", cookie: carol.cookie });
    expect(reused.status).toBe(404);
    expect(await reused.json()).toMatchObject({ error: { code: "invite_not_found" } });
    expect((await api(`/api/invites/${invite.token}`)).status).toBe(404);
  });

  it("does not work for someone the inviter blocked", async () => {
    const ann = await signUp();
    const mallory = await signUp();
    await api("/api/blocks", { cookie: ann.cookie, body: { userId: mallory.user.id } });
    const { invite } = await (await api("/api/invites", { cookie: ann.cookie, body: {} })).json<{
      invite: { token: string };
    }>();
    const refused = await api(`/api/invites/${invite.token}/accept`, { method: "POST", cookie: mallory.cookie });
    expect(refused.status).toBe(404);
    expect(await connectionsOf(ann.cookie)).toEqual([]);
  });
});
