import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Connection, ErrorBody, Group, HealthBody } from "../../protocol/api";
import { enableCounters, readCounters } from "../../server/counters";
import { storeAt } from "../../server/ports/index";
import type { ArchivedMessage } from "../../server/ports/store";
import { api, connect, openSocket, roomPath, type Session, signUp, uniqueName, upgrade } from "../workers/helpers";
import { eventually, mongo, mongoControl, storeAnswers } from "./mongo-control";

async function health(): Promise<{ status: number; body: HealthBody }> {
  const response = await api("/api/health");
  return { status: response.status, body: await response.json<HealthBody>() };
}

const errorCode = async (response: Response) => (await response.json<ErrorBody>()).error.code;

/** Ann and Bob, connected, with a message sent in their room: the room knows them both before an outage. */
async function pairTheRoomKnows(
  messageId: string,
  body: string,
): Promise<{ ann: Session; bob: Session; chat: string }> {
  const ann = await signUp(uniqueName("ann"));
  const bob = await signUp(uniqueName("bob"));
  const chat = await connect(ann, bob);
  const room = await openSocket(roomPath(chat), ann.cookie);
  room.send({ type: "send", id: messageId, body });
  await room.nextOfType("ack");
  room.close();
  return { ann, bob, chat };
}

describe("the app on MongoDB", () => {
  it("reports in /api/health that the store is Mongo and that it answers", async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, store: "mongo", answers: { store: true } });
  });

  it("signs up, finds and connects people through the Mongo store", async () => {
    const ann = await signUp(uniqueName("ann"));
    const bob = await signUp(uniqueName("bob"));
    const found = await (await api(`/api/users?q=${bob.user.username}`, { cookie: ann.cookie })).json<{
      users: { id: string }[];
    }>();
    expect(found.users.map((user) => user.id)).toEqual([bob.user.id]);
    const conversationId = await connect(ann, bob);
    const opened = await storeAt(env, "mongo-1").openConversation(bob.user.id, conversationId);
    expect(opened.ok).toBe(true);
  });
});

describe.skipIf(!mongoControl)("the app on MongoDB while Mongo is down", () => {
  let ann: Session;
  let bob: Session;
  const conversationId = `conv_${crypto.randomUUID()}`;
  const batch = (from: number, to: number): ArchivedMessage[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      conversationId,
      seq: from + i,
      id: `m${from + i}`,
      senderId: "someone",
      body: `message ${from + i}`,
      sentAt: Date.now(),
    }));
  const host = () => storeAt(env, "mongo-0");

  let eve: Session;
  let chat: string;

  beforeAll(async () => {
    ({ ann, bob, chat } = await pairTheRoomKnows("before-outage", "said before Mongo went down"));
    eve = await signUp(uniqueName("eve"));
    // Lands before the outage; the next batch is attempted during it.
    expect(await host().archiveMessages(batch(1, 3))).toEqual({ ok: true, value: { inserted: 3 } });
    await mongo("stop");
  });

  afterAll(async () => {
    await mongo("start");
  });

  it("answers sign-up, login, search and connect with 503 store_unavailable, never 500", async () => {
    const signup = await api("/api/auth/signup", {
      body: { username: uniqueName(), password: "correct horse battery" },
    });
    expect(signup.status).toBe(503);
    expect(await errorCode(signup)).toBe("store_unavailable");
    expect(signup.headers.get("Retry-After")).toBe("5");

    const login = await api("/api/auth/login", {
      body: { username: ann.user.username, password: "correct horse battery" },
    });
    expect(login.status).toBe(503);
    expect(await errorCode(login)).toBe("store_unavailable");

    const search = await api(`/api/users?q=${bob.user.username}`, { cookie: ann.cookie });
    expect(search.status).toBe(503);
    expect(await errorCode(search)).toBe("store_unavailable");

    const connectAttempt = await api("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(connectAttempt.status).toBe(503);
    expect(await errorCode(connectAttempt)).toBe("store_unavailable");
  });

  it("answers an account deletion with 503 store_unavailable and keeps the account", async () => {
    const deletion = await api("/api/me", { cookie: ann.cookie, method: "DELETE" });
    expect(deletion.status).toBe(503);
    expect(await errorCode(deletion)).toBe("store_unavailable");
    expect((await api("/api/me", { cookie: ann.cookie })).status).toBe(200);
  });

  it("keeps chat going from the rooms: reconnects, history and me answer; a stranger is still refused", async () => {
    const me = await api("/api/me", { cookie: ann.cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { id: ann.user.id, username: ann.user.username } });

    const history = await api(`/api/conversations/${chat}/messages`, { cookie: bob.cookie });
    expect(history.status).toBe(200);
    expect(await history.json()).toMatchObject({ messages: [{ id: "before-outage" }] });

    const a = await openSocket(roomPath(chat), ann.cookie);
    const b = await openSocket(roomPath(chat), bob.cookie);
    expect(await a.nextOfType("hello")).toMatchObject({ lastSeq: 1 });
    a.send({ type: "send", id: "during-outage", body: "still here" });
    expect(
      await b.next((frame) => frame.type === "message" && (frame.message as { id: string }).id === "during-outage"),
    ).toBeTruthy();

    expect((await upgrade(roomPath(chat), eve.cookie)).status).toBe(404);
    expect((await api(`/api/conversations/${chat}/messages`, { cookie: eve.cookie })).status).toBe(404);
    a.close();
    b.close();
  });

  it("reports in /api/health that Mongo does not answer", async () => {
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toMatchObject({ ok: false, store: "mongo", answers: { store: false } });
  });

  it("answers an archive write with unavailable, and after the restart stores every message exactly once", async () => {
    // The room keeps its watermark when the write fails, then sends the same batch again.
    expect(await host().archiveMessages(batch(1, 6))).toEqual({ ok: false, reason: "unavailable" });
    await mongo("start");
    await eventually(storeAnswers, 20_000, "the store answering again");
    expect(await host().archiveMessages(batch(1, 6))).toEqual({ ok: true, value: { inserted: 3 } });
    expect(await host().archiveMessages(batch(1, 6))).toEqual({ ok: true, value: { inserted: 0 } });
    const archived = await host().messagesBefore(conversationId, 100, 100);
    expect(archived.ok && archived.value.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    // And the app works again.
    const signup = await api("/api/auth/signup", {
      body: { username: uniqueName(), password: "correct horse battery" },
    });
    expect(signup.status).toBe(201);
  });
});

// An outage of its own: the one above keeps the Mongo traffic its archive test was written against.
describe.skipIf(!mongoControl)("a direct link while Mongo is down", () => {
  let ann: Session;
  let bob: Session;
  let cat: Session;
  let eve: Session;
  let chat: string;
  let groupId: string;
  const entry = (session: Session, id: string) => api(`/api/conversations/${id}`, { cookie: session.cookie });

  beforeAll(async () => {
    await eventually(storeAnswers, 20_000, "the store answering");
    [ann, bob, cat, eve] = [
      await signUp(uniqueName("ann")),
      await signUp(uniqueName("bob")),
      await signUp(uniqueName("cat")),
      await signUp(uniqueName("eve")),
    ];
    chat = await connect(ann, bob);
    // A one-to-one room learns its members when one of them opens it.
    const room = await openSocket(roomPath(chat), ann.cookie);
    await room.nextOfType("hello");
    room.close();
    // A group's room knows it from its creation.
    await connect(ann, cat);
    const created = await api("/api/groups", {
      cookie: ann.cookie,
      body: { name: "Outage", memberIds: [bob.user.id, cat.user.id] },
    });
    expect(created.status).toBe(201);
    groupId = (await created.json<{ group: Group }>()).group.id;
    await mongo("stop");
  });

  afterAll(async () => {
    await mongo("start");
    await eventually(storeAnswers, 20_000, "the store answering again");
  });

  it("answers a member from the room, with defaults for what only Mongo knows", async () => {
    const direct = await entry(bob, chat);
    expect(direct.status).toBe(200);
    expect(await direct.json<{ connection: Connection }>()).toMatchObject({
      connection: {
        user: { id: ann.user.id, username: ann.user.username },
        conversationId: chat,
        status: "accepted",
        direction: "incoming",
      },
    });

    const group = await entry(bob, groupId);
    expect(group.status).toBe(200);
    const answer = await group.json<{ group: Group }>();
    expect(answer.group).toMatchObject({ id: groupId, name: "Outage", createdBy: "", muted: false });
    expect(answer.group.members.filter((member) => member.admin).map((member) => member.id)).toEqual([ann.user.id]);
    expect(answer.group.members.map((member) => member.id).sort()).toEqual(
      [ann.user.id, bob.user.id, cat.user.id].sort(),
    );
  });

  it("answers 404 conversation_not_found to anyone the room does not know", async () => {
    for (const id of [chat, groupId, `dm_${"0".repeat(32)}`]) {
      const refused = await entry(eve, id);
      expect(refused.status).toBe(404);
      expect(await refused.json<ErrorBody>()).toEqual({
        error: { code: "conversation_not_found", message: "No such conversation." },
      });
    }
  });
});

// An outage of its own: what it counts must not include the other blocks' Store traffic.
describe.skipIf(!mongoControl)("a signed-in request while Mongo is down waits for no Store", () => {
  let ann: Session;
  let bob: Session;
  let chat: string;
  let stopCounting: () => void;
  /** Calls that reached a StoreHost since the last read (those the breaker answered are not among them). */
  const storeCalls = () => readCounters().by["crossObjectCalls.store"] ?? 0;

  beforeAll(async () => {
    await eventually(storeAnswers, 20_000, "the store answering");
    ({ ann, bob, chat } = await pairTheRoomKnows("known", "the room knows us both"));
    await mongo("stop");
    stopCounting = enableCounters();
  });

  afterAll(async () => {
    stopCounting();
    await mongo("start");
    await eventually(storeAnswers, 20_000, "the store answering again");
  });

  it("answers GET /api/me from the signed token and the Cache, asking the Store nothing", async () => {
    readCounters();
    const me = await api("/api/me", { cookie: ann.cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { id: ann.user.id, username: ann.user.username } });
    expect(storeCalls()).toBe(0);
  });

  it("after one Store failure, answers history, a socket and a state change without asking the Store again", async () => {
    // This one asks the Store, waits for server selection, and opens the breaker.
    expect((await api(`/api/conversations/${chat}/messages`, { cookie: bob.cookie })).status).toBe(200);
    readCounters();

    const history = await api(`/api/conversations/${chat}/messages`, { cookie: bob.cookie });
    expect(history.status).toBe(200);
    expect(await history.json()).toMatchObject({ messages: [{ id: "known" }] });
    const socket = await openSocket(roomPath(chat), bob.cookie);
    expect(await socket.nextOfType("hello")).toMatchObject({ lastSeq: 1 });
    socket.close();
    const change = await api(`/api/blocks/${crypto.randomUUID()}`, { method: "DELETE", cookie: ann.cookie });
    expect(change.status).toBe(503);
    expect(await errorCode(change)).toBe("store_unavailable");
    expect(change.headers.get("Retry-After")).toBe("5");

    expect(storeCalls()).toBe(0);
  });

  it("asks the Store for /api/health all the same, which reports that it does not answer", async () => {
    readCounters();
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toMatchObject({ answers: { store: false } });
    expect(storeCalls()).toBe(1);
  });
});
