import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hubFor, roomFor } from "../../durable-objects/addresses";
import type { GroupChangeInput } from "../../durable-objects/conversation-room";
import { withIdentity } from "../../durable-objects/identity";
import type { Message } from "../../protocol/api";
import { SYSTEM_SENDER_ID, type SystemEvent } from "../../protocol/wire";
import { type Frame, TestSocket, uniqueName } from "./helpers";

/**
 * The Durable Object side of groups, driven as the Worker drives it: the RPCs the group routes
 * call after the Store saved a change, and sockets forwarded with the identity the Worker vouches.
 */

interface Person {
  id: string;
  username: string;
}

function person(prefix: string): Person {
  return { id: crypto.randomUUID(), username: uniqueName(prefix).toLowerCase() };
}

/** A socket to an object as the Worker forwards it; `identityExtra` adds what it vouches for. */
async function socketTo(
  stub: { fetch(request: Request): Promise<Response> },
  user: Person,
  identityExtra: object = {},
): Promise<TestSocket> {
  const request = new Request("https://chat.test/ws", { headers: { Upgrade: "websocket" } });
  const identity = {
    userId: user.id,
    username: user.username,
    sessionId: `session-${user.id}`,
    expiresAt: Date.now() + 3_600_000,
    ...identityExtra,
  };
  const response = await stub.fetch(withIdentity(request, identity));
  if (response.status !== 101 || !response.webSocket) throw new Error(`refused: ${response.status}`);
  response.webSocket.accept();
  return new TestSocket(response.webSocket);
}

/** Opens a member's socket to the group's room and waits for its hello. */
async function join(groupId: string, user: Person): Promise<{ socket: TestSocket; hello: Frame }> {
  const socket = await socketTo(roomFor(env, groupId), user, { conversationId: groupId });
  return { socket, hello: await socket.nextOfType("hello") };
}

function refusedStatus(groupId: string, user: Person): Promise<number> {
  const request = new Request("https://chat.test/ws", { headers: { Upgrade: "websocket" } });
  const identity = { userId: user.id, username: user.username, sessionId: "s", expiresAt: Date.now() + 60_000 };
  return roomFor(env, groupId)
    .fetch(withIdentity(request, { ...identity, conversationId: groupId }))
    .then((response) => response.status);
}

const ref = (user: Person) => ({ id: user.id, username: user.username });

/** A group as the Worker creates it: the room hears `created` before anyone connects. */
async function createGroup(admin: Person, others: Person[], name = "Trip") {
  const groupId = `g_${crypto.randomUUID()}`;
  const members = [admin, ...others];
  let state = { group: { name, admins: [admin.id] }, members: members.map(ref) };
  const room = roomFor(env, groupId);
  const change = async (next: Partial<typeof state>, event: SystemEvent, extra: Partial<GroupChangeInput> = {}) => {
    state = { ...state, ...next };
    return (await room.applyGroupChange({ conversationId: groupId, ...state, event, ...extra })).message as Message;
  };
  const created = await change({}, { event: "created", actor: ref(admin), targets: others.map(ref), name });
  return { groupId, room, created, change, state: () => state };
}

const isLine = (body: string) => (frame: Frame) => frame.type === "message" && (frame.message as Message).body === body;
const memberIds = (frame: Frame) => (frame.members as { id: string }[]).map((member) => member.id).sort();

async function send(socket: TestSocket, id: string, body: string): Promise<number> {
  socket.send({ type: "send", id, body });
  return (await socket.next((frame) => frame.type === "ack" && frame.id === id)).seq as number;
}

describe("group room", () => {
  it("knows its group before anyone connects: hello carries the group and where history starts", async () => {
    const [ann, bob, carol] = [person("ann"), person("bob"), person("carol")];
    const { groupId, created } = await createGroup(ann, [bob, carol]);
    expect(created).toMatchObject({
      seq: 1,
      senderId: SYSTEM_SENDER_ID,
      body: `${ann.username} created the group “Trip”`,
      system: { event: "created", actor: ref(ann), name: "Trip" },
    });
    // Memory is not where the group lives: an evicted room still knows it.
    await evictDurableObject(roomFor(env, groupId));
    const { socket, hello } = await join(groupId, bob);
    expect(hello).toMatchObject({ group: { name: "Trip", admins: [ann.id] }, visibleFromSeq: 1, lastSeq: 1 });
    expect(memberIds(hello)).toEqual([ann.id, bob.id, carol.id].sort());
    socket.close();
  });

  it("tells an addition, a rename and a removal with a system line, then the whole new state", async () => {
    const [ann, bob, carol, dan] = [person("ann"), person("bob"), person("carol"), person("dan")];
    const { groupId, change, state } = await createGroup(ann, [bob, carol]);
    const { socket: annSocket } = await join(groupId, ann);

    await change({ members: [...state().members, ref(dan)] }, { event: "added", actor: ref(ann), targets: [ref(dan)] });
    const added = await annSocket.next(isLine(`${ann.username} added ${dan.username}`));
    expect(added.message).toMatchObject({
      senderId: SYSTEM_SENDER_ID,
      system: { event: "added", targets: [ref(dan)] },
    });
    const afterAdd = await annSocket.nextOfType("members");
    expect(memberIds(afterAdd)).toEqual([ann.id, bob.id, carol.id, dan.id].sort());
    expect((afterAdd.members as { id: string; online: boolean }[]).find((m) => m.id === ann.id)?.online).toBe(true);

    await change(
      { group: { name: "Ski", admins: [ann.id] } },
      { event: "renamed", actor: ref(ann), targets: [], name: "Ski" },
    );
    await annSocket.next(isLine(`${ann.username} renamed the group to “Ski”`));
    expect((await annSocket.nextOfType("members")).group).toEqual({ name: "Ski", admins: [ann.id] });

    await change(
      { group: { name: "Ski", admins: [ann.id, bob.id] } },
      { event: "admin", actor: ref(ann), targets: [ref(bob)] },
    );
    await annSocket.next(isLine(`${ann.username} made ${bob.username} an admin`));
    expect((await annSocket.nextOfType("members")).group).toEqual({ name: "Ski", admins: [ann.id, bob.id] });

    await change(
      { members: state().members.filter((member) => member.id !== carol.id) },
      { event: "removed", actor: ref(ann), targets: [ref(carol)] },
    );
    await annSocket.next(isLine(`${ann.username} removed ${carol.username}`));
    expect(memberIds(await annSocket.nextOfType("members"))).toEqual([ann.id, bob.id, dan.id].sort());
    annSocket.close();
  });

  it("closes a removed member's sockets at once with 4003 and refuses them history and a way back in", async () => {
    const [ann, bob, carol] = [person("ann"), person("bob"), person("carol")];
    const { groupId, room, change, state } = await createGroup(ann, [bob, carol]);
    const { socket: annSocket } = await join(groupId, ann);
    const { socket: bobSocket } = await join(groupId, bob);
    const { socket: bobTab } = await join(groupId, bob);
    const { socket: carolSocket } = await join(groupId, carol);
    await send(annSocket, "before", "before bob goes");

    await change(
      { members: state().members.filter((member) => member.id !== bob.id) },
      { event: "removed", actor: ref(ann), targets: [ref(bob)] },
    );
    // At once: the RPC has returned, and both of bob's tabs are told why.
    expect(await bobSocket.waitClosed()).toEqual({ code: 4003, reason: "removed" });
    expect(await bobTab.waitClosed()).toEqual({ code: 4003, reason: "removed" });
    expect(bobSocket.pending("message").filter(isLine(`${ann.username} removed ${bob.username}`))).toEqual([]);
    expect(await room.history(undefined, 50, bob.id)).toBeNull();
    expect(await refusedStatus(groupId, bob)).toBe(404);
    expect(memberIds(await annSocket.nextOfType("members"))).toEqual([ann.id, carol.id].sort());

    // Leaving closes with `left`.
    await change(
      { members: state().members.filter((member) => member.id !== carol.id) },
      { event: "left", actor: ref(carol), targets: [ref(carol)] },
      { closeReason: "left" },
    );
    expect(await carolSocket.waitClosed()).toEqual({ code: 4003, reason: "left" });
    await annSocket.next(isLine(`${carol.username} left`));
    expect(memberIds(await annSocket.nextOfType("members"))).toEqual([ann.id]);
    annSocket.close();
  });

  it("shows a new member history from the line that added them, in hello, resume and history; a re-added one from the new line", async () => {
    const [ann, bob, carol, dan] = [person("ann"), person("bob"), person("carol"), person("dan")];
    const { groupId, room, change, state } = await createGroup(ann, [bob, carol]);
    const { socket: annSocket } = await join(groupId, ann);
    for (const id of ["a1", "a2", "a3"]) await send(annSocket, id, `secret ${id}`);

    const added = await change(
      { members: [...state().members, ref(dan)] },
      { event: "added", actor: ref(ann), targets: [ref(dan)] },
    );
    expect(added.seq).toBe(5);
    await send(annSocket, "a4", "welcome dan");
    const { socket: danSocket, hello } = await join(groupId, dan);
    expect(hello).toMatchObject({ visibleFromSeq: 5, lastSeq: 6 });

    danSocket.send({ type: "resume", afterSeq: 0 });
    const replayed = await danSocket.nextOfType("replayed");
    expect(replayed).toMatchObject({ throughSeq: 6, more: false });
    expect(danSocket.pending("message").map((frame) => (frame.message as Message).seq)).toEqual([5, 6]);
    const page = await room.history(undefined, 50, dan.id);
    expect(page?.messages.map((message) => message.seq)).toEqual([5, 6]);
    expect(page?.hasMore).toBe(false);
    // An older member still reads all of it.
    expect((await room.history(undefined, 50, bob.id))?.messages.map((message) => message.seq)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);

    await change(
      { members: state().members.filter((member) => member.id !== dan.id) },
      { event: "removed", actor: ref(ann), targets: [ref(dan)] },
    );
    await danSocket.waitClosed();
    await send(annSocket, "a5", "while dan was away");
    const again = await change(
      { members: [...state().members, ref(dan)] },
      { event: "added", actor: ref(ann), targets: [ref(dan)] },
    );
    const back = await join(groupId, dan);
    expect(back.hello.visibleFromSeq).toBe(again.seq);
    expect((await room.history(undefined, 50, dan.id))?.messages.map((message) => message.seq)).toEqual([again.seq]);
    annSocket.close();
    back.socket.close();
  });

  it("a member whose socket arrives before the line that added them sees nothing earlier, then history from that line", async () => {
    const [ann, bob, carol, dan] = [person("ann"), person("bob"), person("carol"), person("dan")];
    const { groupId, room, state } = await createGroup(ann, [bob, carol]);
    const { socket: annSocket } = await join(groupId, ann);
    await send(annSocket, "a1", "before dan");
    // The Store saved the addition and vouches for dan; the room has not heard the change yet.
    const members = [...state().members, ref(dan)];
    const early = await socketTo(room, dan, {
      conversationId: groupId,
      members,
      group: { name: "Renamed", admins: [ann.id] },
    });
    const hello = await early.nextOfType("hello");
    expect(hello).toMatchObject({ visibleFromSeq: 3, lastSeq: 2, group: { name: "Renamed" } });
    expect((await room.history(undefined, 50, dan.id))?.messages).toEqual([]);
    await send(annSocket, "a2", "still before the line");
    const added = await room.applyGroupChange({
      conversationId: groupId,
      group: { name: "Renamed", admins: [ann.id] },
      members,
      event: { event: "added", actor: ref(ann), targets: [ref(dan)] },
    });
    expect(added.message.seq).toBe(4);
    expect((await room.history(undefined, 50, dan.id))?.messages.map((message) => message.seq)).toEqual([4]);
    early.close();
    annSocket.close();
  });

  it("when a member's account ends: closes their sockets with 4001, wipes their messages for everyone, says so, and is done when repeated", async () => {
    const [ann, bob, carol] = [person("ann"), person("bob"), person("carol")];
    const { groupId, room } = await createGroup(ann, [bob, carol]);
    const { socket: bobSocket } = await join(groupId, bob);
    const { socket: carolSocket } = await join(groupId, carol);
    const first = await send(bobSocket, "b1", "bob's first");
    await send(carolSocket, "c1", "carol's");
    const second = await send(bobSocket, "b2", "bob's second");

    const ended = await room.memberEnded({ userId: bob.id, reason: "deleted" });
    expect(ended.remaining.sort()).toEqual([ann.id, carol.id].sort());
    expect(await bobSocket.waitClosed()).toEqual({ code: 4001, reason: "deleted" });
    const deleted = [await carolSocket.nextOfType("deleted"), await carolSocket.nextOfType("deleted")];
    expect(deleted.map((frame) => frame.seq).sort()).toEqual([first, second].sort());
    const line = await carolSocket.next(isLine(`${bob.username}'s account ended`));
    expect(line.message).toMatchObject({ system: { event: "account-ended", actor: null, targets: [ref(bob)] } });
    expect(memberIds(await carolSocket.nextOfType("members"))).toEqual([ann.id, carol.id].sort());
    const history = (await room.history(undefined, 50, carol.id))?.messages ?? [];
    expect(history.filter((message) => message.senderId === bob.id)).toEqual([
      expect.objectContaining({ seq: first, body: "", deleted: true }),
      expect.objectContaining({ seq: second, body: "", deleted: true }),
    ]);
    expect(history.find((message) => message.id === "c1")?.body).toBe("carol's");

    const framesBefore = carolSocket.pending().length;
    const repeat = await room.memberEnded({ userId: bob.id, reason: "deleted" });
    expect(repeat.remaining.sort()).toEqual([ann.id, carol.id].sort());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(carolSocket.pending()).toHaveLength(framesBefore);
    expect((await room.history(undefined, 50, carol.id))?.messages).toHaveLength(history.length);
    carolSocket.close();
  });

  it("destroys the room when the last member's account ends, and a second call is a no-op", async () => {
    const [ann, bob, carol] = [person("ann"), person("bob"), person("carol")];
    const { groupId, room } = await createGroup(ann, [bob, carol]);
    const { socket: carolSocket } = await join(groupId, carol);
    await send(carolSocket, "c1", "last words");
    expect((await room.memberEnded({ userId: ann.id, reason: "expired" })).remaining).toHaveLength(2);
    // The only admin is gone: the longest-standing member takes over, as the Store decides (then the smaller id).
    const heir = [bob.id, carol.id].sort()[0];
    expect((await carolSocket.nextOfType("members")).group).toEqual({ name: "Trip", admins: [heir] });
    expect((await room.memberEnded({ userId: bob.id, reason: "expired" })).remaining).toEqual([carol.id]);
    expect(await room.memberEnded({ userId: carol.id, reason: "expired" })).toEqual({ remaining: [] });
    expect(await carolSocket.waitClosed()).toEqual({ code: 4001, reason: "expired" });
    expect(await room.history(undefined, 50)).toEqual({ messages: [], hasMore: false });
    await runInDurableObject(room, (_room, state) => {
      const tables = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM members").one().n;
      expect(tables).toBe(0);
      expect(state.storage.sql.exec("SELECT * FROM meta WHERE key = 'conversation_id'").toArray()).toEqual([]);
    });
    expect(await room.memberEnded({ userId: carol.id, reason: "expired" })).toEqual({ remaining: [] });
  });

  it("marks a mention in the mentioned member's hub, and only theirs, until they read it", async () => {
    const [ann, bob, carol] = [person("ann"), person("bob"), person("carol")];
    const { groupId } = await createGroup(ann, [bob, carol]);
    const bobHub = await socketTo(hubFor(env, bob.id), bob);
    const carolHub = await socketTo(hubFor(env, carol.id), carol);
    const { socket: annSocket } = await join(groupId, ann);
    // Case does not matter; a sentence's full stop may follow; a longer name is someone else.
    await send(annSocket, "m1", `are you in, @${bob.username.toUpperCase()}? @${carol.username}x`);
    const bobNotice = await bobHub.next((frame) => frame.type === "unread" && frame.unread === 1);
    expect(bobNotice).toMatchObject({ conversationId: groupId, mentioned: true });
    const carolNotice = await carolHub.next((frame) => frame.type === "unread" && frame.unread === 1);
    expect(carolNotice).toMatchObject({ mentioned: false });
    expect((await hubFor(env, bob.id).summaries()).find((entry) => entry.conversationId === groupId)).toMatchObject({
      unread: 1,
      mentioned: true,
    });

    // Read past the mention: the hub hears it is gone when bob leaves the chat.
    const { socket: bobRoom } = await join(groupId, bob);
    bobRoom.send({ type: "read", seq: 2 });
    await annSocket.nextOfType("read");
    bobRoom.close();
    expect(await bobHub.next((frame) => frame.type === "unread" && frame.unread === 0)).toMatchObject({
      mentioned: false,
    });
    for (const socket of [bobHub, carolHub, annSocket]) socket.close();
  });

  it("relays typing of two members to a third, and not to an absent member's hub", async () => {
    const [ann, bob, carol, dan] = [person("ann"), person("bob"), person("carol"), person("dan")];
    const { groupId } = await createGroup(ann, [bob, carol, dan]);
    const danHub = await socketTo(hubFor(env, dan.id), dan);
    const { socket: annSocket } = await join(groupId, ann);
    const { socket: bobSocket } = await join(groupId, bob);
    const { socket: carolSocket } = await join(groupId, carol);
    annSocket.send({ type: "typing", on: true });
    bobSocket.send({ type: "typing", on: true });
    const typing = [await carolSocket.nextOfType("typing"), await carolSocket.nextOfType("typing")];
    expect(typing.map((frame) => frame.userId).sort()).toEqual([ann.id, bob.id].sort());
    expect(typing.every((frame) => frame.on === true)).toBe(true);
    annSocket.send({ type: "typing", on: false });
    expect(await carolSocket.nextOfType("typing")).toMatchObject({ userId: ann.id, on: false });
    // A message to the group does reach dan's hub: typing would have come before it.
    await send(bobSocket, "b1", "hello");
    await danHub.nextOfType("unread");
    expect(danHub.pending("typing")).toEqual([]);
    for (const socket of [danHub, annSocket, bobSocket, carolSocket]) socket.close();
  });

  it("tells a member the group it knows without a socket (members, name, admins); a stranger, a removed member and a destroyed room nothing", async () => {
    const [ann, bob, carol, stranger] = [person("ann"), person("bob"), person("carol"), person("stranger")];
    const { room, change, state } = await createGroup(ann, [bob, carol]);
    await change(
      { group: { name: "Ski", admins: [ann.id, bob.id] } },
      { event: "admin", actor: ref(ann), targets: [ref(bob)] },
    );
    // Memory is not where it lives: an evicted room still knows.
    await evictDurableObject(room);
    const byUsername = (a: Person, b: Person) => (a.username < b.username ? -1 : 1);
    expect(await room.conversationAs(bob.id)).toEqual({
      members: [ann, bob, carol].sort(byUsername).map(ref),
      pendingFrom: null,
      group: { name: "Ski", admins: [ann.id, bob.id] },
    });
    expect(await room.conversationAs(stranger.id)).toBeNull();

    await change(
      { members: state().members.filter((member) => member.id !== carol.id) },
      { event: "removed", actor: ref(ann), targets: [ref(carol)] },
    );
    expect(await room.conversationAs(carol.id)).toBeNull();
    expect((await room.conversationAs(ann.id))?.members.map((member) => member.id).sort()).toEqual(
      [ann.id, bob.id].sort(),
    );

    await room.destroy();
    expect(await room.conversationAs(ann.id)).toBeNull();
  });

  it("stores a retried change once, and an older change arriving late does not undo a newer one", async () => {
    const [ann, bob, carol, dan, eve] = [person("ann"), person("bob"), person("carol"), person("dan"), person("eve")];
    const { groupId, room } = await createGroup(ann, [bob, carol]);
    const base = { conversationId: groupId, group: { name: "Trip", admins: [ann.id] } };
    const three = [ann, bob, carol].map(ref);
    const withDan = { ...base, members: [...three, ref(dan)], version: 2 };
    const addDan: SystemEvent = { event: "added", actor: ref(ann), targets: [ref(dan)] };
    const first = await room.applyGroupChange({ ...withDan, event: addDan });
    expect((await room.applyGroupChange({ ...withDan, event: addDan })).message).toEqual(first.message);
    // Version 4 (eve added) lands before version 3 (a rename saved while eve was not yet in).
    await room.applyGroupChange({
      ...base,
      members: [...three, ref(dan), ref(eve)],
      version: 4,
      event: { event: "added", actor: ref(ann), targets: [ref(eve)] },
    });
    await room.applyGroupChange({
      ...base,
      members: [...three, ref(dan)],
      version: 3,
      event: { event: "renamed", actor: ref(ann), targets: [], name: "Trip" },
    });
    const { socket, hello } = await join(groupId, eve);
    expect(memberIds(hello)).toContain(eve.id);
    const page = await room.history(undefined, 50, ann.id);
    expect(page?.messages.filter((message) => message.system?.event === "added")).toHaveLength(2);
    socket.close();
  });
});

describe("user hub, groups", () => {
  it("announces a group with the unread count, preview and mention it kept, and forgets them when removed", async () => {
    const bob = person("bob");
    const hub = hubFor(env, bob.id);
    const groupId = `g_${crypto.randomUUID()}`;
    const socket = await socketTo(hub, bob);
    const lastMessage: Message = {
      id: "m1",
      seq: 3,
      conversationId: groupId,
      senderId: "someone",
      body: "@bob look",
      sentAt: new Date().toISOString(),
    };
    await hub.conversationActivity({ conversationId: groupId, lastMessage, unread: 2, mentioned: true });
    expect(await socket.nextOfType("unread")).toMatchObject({ unread: 2, mentioned: true });
    const view = {
      id: groupId,
      name: "Trip",
      members: [{ id: bob.id, username: bob.username, admin: false }],
      createdBy: "someone",
      createdAt: new Date().toISOString(),
      muted: true,
    };
    await hub.groupChanged(view);
    expect((await socket.nextOfType("group")).group).toEqual({ ...view, unread: 2, lastMessage, mentioned: true });

    await hub.groupRemoved(groupId, "removed");
    expect(await socket.nextOfType("group-removed")).toEqual({
      type: "group-removed",
      conversationId: groupId,
      reason: "removed",
    });
    expect((await hub.summaries()).find((entry) => entry.conversationId === groupId)).toBeUndefined();
    await hub.groupChanged(view);
    expect((await socket.nextOfType("group")).group).toMatchObject({ unread: 0, lastMessage: null, mentioned: false });
    socket.close();
  });
});
