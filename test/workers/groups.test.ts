import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roomFor } from "../../durable-objects/addresses";
import { GROUP_LIMITS, type Group, type Message } from "../../protocol/api";
import { CLOSE_CONVERSATION_ENDED, CLOSE_SESSION_ENDED, SYSTEM_SENDER_ID } from "../../protocol/wire";
import { storeFor } from "../../server/ports";
import { runCron } from "./cron";
import { api, connect, type Frame, HUB, openSocket, request, roomPath, type Session, signUp, upgrade } from "./helpers";

/** `owner` and `count` new people who are all their accepted contacts. */
async function withContacts(count: number, owner?: Session): Promise<{ owner: Session; contacts: Session[] }> {
  const me = owner ?? (await signUp());
  const contacts: Session[] = [];
  for (let i = 0; i < count; i++) {
    const other = await signUp();
    // They ask and the owner accepts: the owner's own request budget stays untouched.
    await connect(other, me);
    contacts.push(other);
  }
  return { owner: me, contacts };
}

async function createGroup(creator: Session, members: Session[], name = "Weekend plans"): Promise<Group> {
  const response = await api("/api/groups", {
    cookie: creator.cookie,
    body: { name, memberIds: members.map((member) => member.user.id) },
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json<{ group: Group }>()).group;
}

async function groupAs(session: Session, groupId: string): Promise<Response> {
  return api(`/api/groups/${groupId}`, { cookie: session.cookie });
}

async function history(session: Session, groupId: string): Promise<Message[]> {
  const response = await api(`/api/conversations/${groupId}/messages`, { cookie: session.cookie });
  expect(response.status).toBe(200);
  return (await response.json<{ messages: Message[] }>()).messages;
}

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const body = await response.json<{ error: { code: string } }>();
  return { status: response.status, code: body.error.code };
}

const isGroupFrame = (groupId: string) => (frame: Frame) =>
  frame.type === "group" && (frame.group as Group).id === groupId;
const idsOf = (group: Group) => group.members.map((member) => member.id).sort();
const adminsOf = (group: Group) => group.members.filter((member) => member.admin).map((member) => member.id);

describe("creating a group", () => {
  it("shows it at once in every member's list, with its first line and its creator as the only admin", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const hubs = [await openSocket(HUB, bob.cookie), await openSocket(HUB, carol.cookie)];

    const group = await createGroup(ann, [bob, carol]);
    expect(group.id).toMatch(/^grp_[0-9a-f]{32}$/);
    expect(group).toMatchObject({ name: "Weekend plans", createdBy: ann.user.id, muted: false, unread: 0 });
    expect(idsOf(group)).toEqual([ann.user.id, bob.user.id, carol.user.id].sort());
    expect(adminsOf(group)).toEqual([ann.user.id]);
    expect(group.lastMessage).toMatchObject({ senderId: SYSTEM_SENDER_ID, system: { event: "created" } });

    for (const hub of hubs) {
      const frame = await hub.next(isGroupFrame(group.id));
      expect(frame.group).toMatchObject({ name: "Weekend plans", createdBy: ann.user.id, muted: false });
    }
    const listed = await (await api("/api/groups", { cookie: bob.cookie })).json<{ groups: Group[] }>();
    expect(listed.groups.map((entry) => entry.id)).toContain(group.id);
    expect((await groupAs(carol, group.id)).status).toBe(200);
    const [first] = await history(bob, group.id);
    expect(first).toMatchObject({ senderId: SYSTEM_SENDER_ID, system: { event: "created", name: "Weekend plans" } });
    // People appear in a line by id and name only: never the account record behind them.
    expect(first?.system?.actor).toEqual({ id: ann.user.id, username: ann.user.username });
    expect(first?.system?.targets).toEqual([bob, carol].map(({ user }) => ({ id: user.id, username: user.username })));
    for (const hub of hubs) hub.close();
  });

  it("refuses fewer than two others, yourself among them, and a name that is empty or too long", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const attempts = [
      { name: "x", memberIds: [bob.user.id] },
      { name: "x", memberIds: [bob.user.id, bob.user.id] },
      { name: "x", memberIds: [bob.user.id, ann.user.id] },
      { name: "   ", memberIds: [bob.user.id, carol.user.id] },
      { name: "x".repeat(GROUP_LIMITS.nameMaxChars + 1), memberIds: [bob.user.id, carol.user.id] },
      { name: "bell\u0007", memberIds: [bob.user.id, carol.user.id] },
    ];
    for (const body of attempts) {
      const response = await api("/api/groups", { cookie: ann.cookie, body });
      expect(await errorOf(response), JSON.stringify(body)).toEqual({ status: 400, code: "invalid_input" });
    }
    const listed = await (await api("/api/groups", { cookie: ann.cookie })).json<{ groups: Group[] }>();
    expect(listed.groups).toEqual([]);
  });

  it("refuses anyone who is not an accepted contact: a pending request, a stranger, a blocked person", async () => {
    const { owner: ann, contacts } = await withContacts(3);
    const [bob, carol, dan] = contacts as [Session, Session, Session];
    const pending = await signUp();
    await request(pending, ann);
    const stranger = await signUp();
    expect((await api("/api/blocks", { cookie: ann.cookie, body: { userId: dan.user.id } })).status).toBe(204);

    for (const outsider of [pending, stranger, dan]) {
      const response = await api("/api/groups", {
        cookie: ann.cookie,
        body: { name: "x", memberIds: [bob.user.id, outsider.user.id] },
      });
      expect(await errorOf(response)).toEqual({ status: 403, code: "not_a_contact" });
    }
    const group = await createGroup(ann, [bob, carol]);
    for (const outsider of [pending, stranger, dan]) {
      const response = await api(`/api/groups/${group.id}/members`, {
        cookie: ann.cookie,
        body: { userIds: [outsider.user.id] },
      });
      expect(await errorOf(response)).toEqual({ status: 403, code: "not_a_contact" });
    }
    expect(idsOf(await (await groupAs(ann, group.id)).json<{ group: Group }>().then((body) => body.group))).toEqual(
      [ann.user.id, bob.user.id, carol.user.id].sort(),
    );
  });
});

describe("managing a group", () => {
  it("lets only admins rename, add, remove and make admins; nobody but the creator removes the creator", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const dan = (await withContacts(1, bob)).contacts[0]!;
    const group = await createGroup(ann, [bob, carol]);
    const base = `/api/groups/${group.id}`;

    const byBob = [
      api(base, { method: "PATCH", cookie: bob.cookie, body: { name: "Mine now" } }),
      api(`${base}/members`, { cookie: bob.cookie, body: { userIds: [dan.user.id] } }),
      api(`${base}/members/${carol.user.id}`, { method: "DELETE", cookie: bob.cookie }),
      api(`${base}/admins`, { cookie: bob.cookie, body: { userId: bob.user.id } }),
    ];
    for (const response of await Promise.all(byBob)) {
      expect(await errorOf(response)).toEqual({ status: 403, code: "not_admin" });
    }

    const promoted = await api(`${base}/admins`, { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(promoted.status).toBe(200);
    expect(adminsOf((await promoted.json<{ group: Group }>()).group).sort()).toEqual([ann.user.id, bob.user.id].sort());
    const creatorRemoved = await api(`${base}/members/${ann.user.id}`, { method: "DELETE", cookie: bob.cookie });
    expect(await errorOf(creatorRemoved)).toEqual({ status: 403, code: "not_admin" });

    const after = (await (await groupAs(carol, group.id)).json<{ group: Group }>()).group;
    expect(after.name).toBe("Weekend plans");
    expect(idsOf(after)).toEqual([ann.user.id, bob.user.id, carol.user.id].sort());
    const events = (await history(carol, group.id)).map((message) => message.system?.event);
    expect(events).toEqual(["created", "admin"]);
  });

  it("answers 404 to someone who is not a member, on every route and on the socket", async () => {
    const { owner: ann, contacts } = await withContacts(3);
    const [bob, carol, dan] = contacts as [Session, Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    const base = `/api/groups/${group.id}`;
    const calls = [
      api(base, { cookie: dan.cookie }),
      api(base, { method: "PATCH", cookie: dan.cookie, body: { name: "Taken" } }),
      api(`${base}/members/${bob.user.id}`, { method: "DELETE", cookie: dan.cookie }),
      api(`${base}/mute`, { method: "PUT", cookie: dan.cookie, body: { muted: true } }),
      api(`/api/conversations/${group.id}/messages`, { cookie: dan.cookie }),
      api("/api/groups/grp_00000000000000000000000000000000", { cookie: ann.cookie }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(await errorOf(response)).toEqual({ status: 404, code: "conversation_not_found" });
    }
    expect((await upgrade(roomPath(group.id), dan.cookie)).status).toBe(404);
    expect((await upgrade(roomPath(group.id), bob.cookie)).status).toBe(101);
  });

  it("refuses the 52nd member with group_full, and leaves members already in as they are", async () => {
    const { owner: ann, contacts } = await withContacts(GROUP_LIMITS.membersMax);
    const [late, ...others] = contacts as [Session, ...Session[]];
    const group = await createGroup(ann, others);
    expect(group.members).toHaveLength(GROUP_LIMITS.membersMax);

    const full = await api(`/api/groups/${group.id}/members`, {
      cookie: ann.cookie,
      body: { userIds: [late.user.id] },
    });
    expect(await errorOf(full)).toEqual({ status: 409, code: "group_full" });
    const again = await api(`/api/groups/${group.id}/members`, {
      cookie: ann.cookie,
      body: { userIds: [others[0]!.user.id] },
    });
    expect(again.status).toBe(200);
    expect((await again.json<{ group: Group }>()).group.members).toHaveLength(GROUP_LIMITS.membersMax);
    expect((await history(ann, group.id)).map((message) => message.system?.event)).toEqual(["created"]);
  }, 120_000);

  it("shows an added member the history from the line that added them, and tells them at once", async () => {
    const { owner: ann, contacts } = await withContacts(3);
    const [bob, carol, dan] = contacts as [Session, Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    const room = await openSocket(roomPath(group.id), ann.cookie);
    room.send({ type: "send", id: "before-dan", body: "not for dan's eyes" });
    await room.nextOfType("ack");
    const danHub = await openSocket(HUB, dan.cookie);

    const added = await api(`/api/groups/${group.id}/members`, {
      cookie: ann.cookie,
      body: { userIds: [dan.user.id] },
    });
    expect(added.status).toBe(200);
    expect(idsOf((await added.json<{ group: Group }>()).group)).toContain(dan.user.id);
    expect(await danHub.next(isGroupFrame(group.id))).toBeTruthy();
    const line = await room.next(
      (frame) => frame.type === "message" && SYSTEM_SENDER_ID === (frame.message as Message).senderId,
    );
    expect((line.message as Message).system).toMatchObject({ event: "added", targets: [{ id: dan.user.id }] });

    const seen = await history(dan, group.id);
    expect(seen.map((message) => message.id)).toEqual([(line.message as Message).id]);
    expect((await history(bob, group.id)).map((message) => message.body)).toContain("not for dan's eyes");
    const danRoom = await openSocket(roomPath(group.id), dan.cookie);
    expect(await danRoom.nextOfType("hello")).toMatchObject({ visibleFromSeq: (line.message as Message).seq });
    for (const socket of [room, danHub, danRoom]) socket.close();
  });

  it("closes a removed member's sockets at once with 4003 and takes the group from them", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    const carolRoom = await openSocket(roomPath(group.id), carol.cookie);
    await carolRoom.nextOfType("hello");
    const carolHub = await openSocket(HUB, carol.cookie);
    const bobHub = await openSocket(HUB, bob.cookie);

    const removed = await api(`/api/groups/${group.id}/members/${carol.user.id}`, {
      method: "DELETE",
      cookie: ann.cookie,
    });
    expect(removed.status).toBe(200);
    expect(idsOf((await removed.json<{ group: Group }>()).group)).toEqual([ann.user.id, bob.user.id].sort());
    expect(await carolRoom.waitClosed()).toEqual({ code: CLOSE_CONVERSATION_ENDED, reason: "removed" });
    expect(await carolHub.nextOfType("group-removed")).toMatchObject({ conversationId: group.id, reason: "removed" });
    const bobView = await bobHub.next(isGroupFrame(group.id));
    expect(idsOf(bobView.group as Group)).toEqual([ann.user.id, bob.user.id].sort());

    const read = await api(`/api/conversations/${group.id}/messages`, { cookie: carol.cookie });
    expect(await errorOf(read)).toEqual({ status: 404, code: "conversation_not_found" });
    expect((await upgrade(roomPath(group.id), carol.cookie)).status).toBe(404);
    expect((await history(bob, group.id)).at(-1)?.system).toMatchObject({
      event: "removed",
      actor: { id: ann.user.id },
      targets: [{ id: carol.user.id }],
    });
    for (const socket of [carolHub, bobHub]) socket.close();
  });

  it("renames for everyone: a line in the room, the new name in every list", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    const bobRoom = await openSocket(roomPath(group.id), bob.cookie);
    await bobRoom.nextOfType("hello");
    const carolHub = await openSocket(HUB, carol.cookie);

    const renamed = await api(`/api/groups/${group.id}`, {
      method: "PATCH",
      cookie: ann.cookie,
      body: { name: "  Trip  " },
    });
    expect(renamed.status).toBe(200);
    expect((await renamed.json<{ group: Group }>()).group.name).toBe("Trip");
    expect(await bobRoom.nextOfType("message")).toMatchObject({
      message: { system: { event: "renamed", name: "Trip" } },
    });
    expect(await bobRoom.nextOfType("members")).toMatchObject({ group: { name: "Trip", admins: [ann.user.id] } });
    expect((await carolHub.next(isGroupFrame(group.id))).group).toMatchObject({ name: "Trip" });
    for (const socket of [bobRoom, carolHub]) socket.close();
  });

  it("mutes for the one who asks only", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    const bobHub = await openSocket(HUB, bob.cookie);
    const annHub = await openSocket(HUB, ann.cookie);

    const muted = await api(`/api/groups/${group.id}/mute`, {
      method: "PUT",
      cookie: bob.cookie,
      body: { muted: true },
    });
    expect(muted.status).toBe(200);
    expect((await muted.json<{ group: Group }>()).group.muted).toBe(true);
    expect((await bobHub.next(isGroupFrame(group.id))).group).toMatchObject({ muted: true });
    const bobs = await (await api("/api/groups", { cookie: bob.cookie })).json<{ groups: Group[] }>();
    expect(bobs.groups.find((entry) => entry.id === group.id)?.muted).toBe(true);
    expect((await (await groupAs(ann, group.id)).json<{ group: Group }>()).group.muted).toBe(false);
    expect((await history(ann, group.id)).map((message) => message.system?.event)).toEqual(["created"]);
    // Nobody else's list changed: the first word ann's hub gets is of her own rename after it.
    await api(`/api/groups/${group.id}`, { method: "PATCH", cookie: ann.cookie, body: { name: "Later" } });
    expect((await annHub.next(isGroupFrame(group.id))).group).toMatchObject({ name: "Later", muted: false });
    for (const socket of [bobHub, annHub]) socket.close();
  });

  it("opens the socket with the Store's word on the group's name and admins", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const [bob, carol] = contacts as [Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    // Saved as a change whose room call never came: the Store is the truth the socket starts from.
    const store = storeFor(env);
    const found = await store.getGroup(group.id);
    if (!found.ok || !found.value) throw new Error("the group is not stored");
    const saved = await store.saveGroup({ ...found.value, name: "Stored name" });
    expect(saved.ok).toBe(true);
    const room = await openSocket(roomPath(group.id), bob.cookie);
    expect(await room.nextOfType("hello")).toMatchObject({ group: { name: "Stored name", admins: [ann.user.id] } });
    room.close();
  });
});

describe("leaving a group", () => {
  it("makes the longest-standing member an admin when the last admin leaves, and deletes the group with its last member", async () => {
    const { owner: ann, contacts } = await withContacts(3);
    const [bob, carol, dan] = contacts as [Session, Session, Session];
    const group = await createGroup(ann, [bob, carol]);
    // dan joins later than bob and carol, so he is never the longest-standing.
    await api(`/api/groups/${group.id}/members`, { cookie: ann.cookie, body: { userIds: [dan.user.id] } });
    const annHub = await openSocket(HUB, ann.cookie);
    const annRoom = await openSocket(roomPath(group.id), ann.cookie);
    await annRoom.nextOfType("hello");

    const left = await api(`/api/groups/${group.id}/members/${ann.user.id}`, { method: "DELETE", cookie: ann.cookie });
    expect(left.status).toBe(204);
    expect(await annRoom.waitClosed()).toEqual({ code: CLOSE_CONVERSATION_ENDED, reason: "left" });
    expect(await annHub.nextOfType("group-removed")).toMatchObject({ conversationId: group.id, reason: "left" });
    const heir = [bob, carol].map((member) => member.user.id).sort()[0];
    const afterAnn = (await (await groupAs(dan, group.id)).json<{ group: Group }>()).group;
    expect(adminsOf(afterAnn)).toEqual([heir]);
    expect((await history(dan, group.id)).at(-1)?.system).toMatchObject({ event: "left", actor: { id: ann.user.id } });

    for (const member of [bob, carol]) {
      const response = await api(`/api/groups/${group.id}/members/${member.user.id}`, {
        method: "DELETE",
        cookie: member.cookie,
      });
      expect(response.status).toBe(204);
    }
    expect(adminsOf((await (await groupAs(dan, group.id)).json<{ group: Group }>()).group)).toEqual([dan.user.id]);
    const danRoom = await openSocket(roomPath(group.id), dan.cookie);
    await danRoom.nextOfType("hello");
    const last = await api(`/api/groups/${group.id}/members/${dan.user.id}`, { method: "DELETE", cookie: dan.cookie });
    expect(last.status).toBe(204);
    expect((await danRoom.waitClosed()).code).toBe(CLOSE_CONVERSATION_ENDED);
    expect(await storeFor(env).getGroup(group.id)).toEqual({ ok: true, value: null });
    expect(await roomFor(env, group.id).history(undefined, 100)).toEqual({ messages: [], hasMore: false });
    annHub.close();
  });
});

describe("endings in a group", () => {
  it("closes a logged-out session's group sockets with the others", async () => {
    const { owner: ann, contacts } = await withContacts(2);
    const group = await createGroup(ann, contacts);
    const room = await openSocket(roomPath(group.id), ann.cookie);
    await room.nextOfType("hello");
    expect((await api("/api/auth/logout", { method: "POST", cookie: ann.cookie })).status).toBe(204);
    expect((await room.waitClosed()).code).toBe(CLOSE_SESSION_ENDED);
  });

  it("takes each expired member out with their messages, and the group goes with the last one", async () => {
    const ann = await signUp(undefined, undefined, 1);
    const bob = await signUp(undefined, undefined, 2);
    const carol = await signUp(undefined, undefined, 3);
    await connect(bob, ann);
    await connect(carol, ann);
    const group = await createGroup(ann, [bob, carol]);
    for (const [index, member] of [ann, bob, carol].entries()) {
      const room = await openSocket(roomPath(group.id), member.cookie);
      room.send({ type: "send", id: `m${index}`, body: `from ${member.user.username}` });
      await room.nextOfType("ack");
      room.close();
    }
    const carolHub = await openSocket(HUB, carol.cookie);
    const hour = 3_600_000;

    await runCron(Date.now() + 1.5 * hour);
    const afterAnn = await history(carol, group.id);
    expect(afterAnn.map((message) => message.body)).not.toContain(`from ${ann.user.username}`);
    expect(afterAnn.map((message) => message.body)).toContain(`from ${bob.user.username}`);
    expect(afterAnn.at(-1)?.system).toMatchObject({ event: "account-ended", targets: [{ id: ann.user.id }] });
    const told = (await carolHub.next(isGroupFrame(group.id))).group as Group;
    expect(idsOf(told)).toEqual([bob.user.id, carol.user.id].sort());
    expect(adminsOf(told)).toHaveLength(1);
    const stored = (await (await groupAs(carol, group.id)).json<{ group: Group }>()).group;
    expect(idsOf(stored)).toEqual([bob.user.id, carol.user.id].sort());
    expect(adminsOf(stored)).toEqual(adminsOf(told));

    await runCron(Date.now() + 2.5 * hour);
    const afterBob = await history(carol, group.id);
    expect(
      afterBob
        .filter((message) => message.senderId !== SYSTEM_SENDER_ID && !message.deleted)
        .map((message) => message.body),
    ).toEqual([`from ${carol.user.username}`]);
    expect(idsOf((await (await groupAs(carol, group.id)).json<{ group: Group }>()).group)).toEqual([carol.user.id]);

    await runCron(Date.now() + 3.5 * hour);
    expect(await storeFor(env).getGroup(group.id)).toEqual({ ok: true, value: null });
    expect(await roomFor(env, group.id).history(undefined, 100)).toEqual({ messages: [], hasMore: false });
    carolHub.close();
  });
});
