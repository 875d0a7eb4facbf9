import { describe, expect, it } from "vitest";
import type { Connection, ErrorBody, Group } from "../../protocol/api";
import { api, connect, HUB, openSocket, request, roomPath, type Session, signUp, type TestSocket } from "./helpers";

/** What a direct link to `/c/<id>` asks for first. */
async function entryOf(session: Session, conversationId: string): Promise<Response> {
  return api(`/api/conversations/${conversationId}`, { cookie: session.cookie });
}

async function connectionEntry(session: Session, conversationId: string): Promise<Connection> {
  const response = await entryOf(session, conversationId);
  expect(response.status).toBe(200);
  const body = await response.json<{ connection: Connection }>();
  expect(Object.keys(body)).toEqual(["connection"]);
  return body.connection;
}

async function listedConnection(session: Session, conversationId: string): Promise<Connection | undefined> {
  const response = await api("/api/connections", { cookie: session.cookie });
  const { connections } = await response.json<{ connections: Connection[] }>();
  return connections.find((connection) => connection.conversationId === conversationId);
}

async function createGroup(creator: Session, members: Session[]): Promise<Group> {
  const response = await api("/api/groups", {
    cookie: creator.cookie,
    body: { name: "Direct link", memberIds: members.map((member) => member.user.id) },
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json<{ group: Group }>()).group;
}

async function send(socket: TestSocket, id: string, body: string): Promise<void> {
  socket.send({ type: "send", id, body });
  await socket.next((frame) => frame.type === "ack" && frame.id === id);
}

async function expectNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  expect(await response.json<ErrorBody>()).toEqual({
    error: { code: "conversation_not_found", message: "No such conversation." },
  });
}

describe("GET /api/conversations/:id: a one-to-one conversation", () => {
  it("answers a request to both sides with who asked, and nobody's presence until it is accepted", async () => {
    const ann = await signUp();
    const bob = await signUp();
    // Both are online the whole time: only acceptance may show it.
    const hubs = [await openSocket(HUB, ann.cookie), await openSocket(HUB, bob.cookie)];
    const conversationId = await request(ann, bob);

    expect(await connectionEntry(ann, conversationId)).toEqual({
      user: { id: bob.user.id, username: bob.user.username },
      conversationId,
      status: "pending",
      direction: "outgoing",
      online: false,
      lastSeenAt: null,
      lastMessage: null,
      unread: 0,
    });
    expect(await connectionEntry(bob, conversationId)).toMatchObject({
      user: { id: ann.user.id, username: ann.user.username },
      status: "pending",
      direction: "incoming",
      online: false,
      lastSeenAt: null,
    });

    const accepted = await api(`/api/connections/${ann.user.id}/accept`, { method: "POST", cookie: bob.cookie });
    expect(accepted.status).toBe(200);
    await expect.poll(async () => (await connectionEntry(ann, conversationId)).online).toBe(true);
    expect(await connectionEntry(ann, conversationId)).toMatchObject({ status: "accepted", direction: "outgoing" });
    for (const hub of hubs) hub.close();
  });

  it("answers an accepted contact exactly as GET /api/connections lists it, with unread and last message", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const annHub = await openSocket(HUB, ann.cookie);
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    await send(room, "first", "see you at eight");
    room.close();

    await expect
      .poll(async () => {
        const entry = await connectionEntry(bob, conversationId);
        return [entry.unread, entry.lastMessage?.body ?? null, entry.online];
      })
      .toEqual([1, "see you at eight", true]);
    const entry = await connectionEntry(bob, conversationId);
    expect(entry).toMatchObject({
      status: "accepted",
      user: { id: ann.user.id },
      lastMessage: { senderId: ann.user.id },
    });
    expect(entry).toEqual(await listedConnection(bob, conversationId));
    // The sender has read their own line: no unread on their side.
    expect(await connectionEntry(ann, conversationId)).toMatchObject({ unread: 0, user: { id: bob.user.id } });
    annHub.close();
  });

  it("answers 404 to a stranger, after the connection is removed, and for an unknown id, all alike", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const stranger = await signUp();
    const conversationId = await connect(ann, bob);

    await expectNotFound(await entryOf(stranger, conversationId));
    await expectNotFound(await entryOf(ann, `dm_${"0".repeat(32)}`));
    await expectNotFound(await entryOf(ann, "no-such-conversation"));

    const removed = await api(`/api/connections/${bob.user.id}`, { method: "DELETE", cookie: ann.cookie });
    expect(removed.status).toBe(204);
    await expectNotFound(await entryOf(ann, conversationId));
    await expectNotFound(await entryOf(bob, conversationId));
  });

  it("needs a session", async () => {
    const ann = await signUp();
    const conversationId = await connect(ann, await signUp());
    const response = await api(`/api/conversations/${conversationId}`);
    expect(response.status).toBe(401);
    expect((await response.json<ErrorBody>()).error.code).toBe("unauthorized");
    expect((await entryOf(ann, conversationId)).status).toBe(200);
  });
});

describe("GET /api/conversations/:id: a group", () => {
  it("answers a member exactly as GET /api/groups/:id does, with their unread", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const carol = await signUp();
    await connect(bob, ann);
    await connect(carol, ann);
    const group = await createGroup(ann, [bob, carol]);
    const room = await openSocket(roomPath(group.id), ann.cookie);
    await send(room, "hello", "who brings the cake?");
    room.close();

    const entryOfBob = async () => {
      const response = await entryOf(bob, group.id);
      expect(response.status).toBe(200);
      const body = await response.json<{ group: Group }>();
      expect(Object.keys(body)).toEqual(["group"]);
      return body.group;
    };
    await expect.poll(async () => (await entryOfBob()).unread).toBe(1);
    const entry = await entryOfBob();
    expect(entry).toMatchObject({ id: group.id, name: "Direct link", lastMessage: { body: "who brings the cake?" } });
    const direct = await api(`/api/groups/${group.id}`, { cookie: bob.cookie });
    expect(entry).toEqual((await direct.json<{ group: Group }>()).group);
  });

  it("answers 404 to a stranger and to a removed member, as for an unknown group", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const carol = await signUp();
    const stranger = await signUp();
    await connect(bob, ann);
    await connect(carol, ann);
    const group = await createGroup(ann, [bob, carol]);
    expect((await entryOf(carol, group.id)).status).toBe(200);

    const removed = await api(`/api/groups/${group.id}/members/${carol.user.id}`, {
      method: "DELETE",
      cookie: ann.cookie,
    });
    expect(removed.status).toBe(200);
    await expectNotFound(await entryOf(carol, group.id));
    await expectNotFound(await entryOf(stranger, group.id));
    await expectNotFound(await entryOf(ann, `grp_${"0".repeat(32)}`));
  });
});
