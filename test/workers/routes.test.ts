import { describe, expect, it } from "vitest";
import type { Connection, Message, UserSummary } from "../../protocol/api";
import { api, connect, ORIGIN, openSocket, roomPath, signUp, TestSocket, uniqueName, upgrade } from "./helpers";

describe("GET /api/users", () => {
  it("finds people by exact name, prefix and a misspelling, best first, never yourself", async () => {
    const stem = uniqueName("zed").slice(0, 12).toLowerCase();
    const exact = await signUp(stem);
    const longer = await signUp(`${stem}xyz`);
    const searcher = await signUp();
    const response = await api(`/api/users?q=${stem}`, { cookie: searcher.cookie });
    expect(response.status).toBe(200);
    const { users } = await response.json<{ users: UserSummary[] }>();
    expect(users.slice(0, 2).map((u) => u.id)).toEqual([exact.user.id, longer.user.id]);
    expect(users[0]).toEqual({ id: exact.user.id, username: stem, online: false });

    const typo = stem.slice(0, 5) + stem[6] + stem[5] + stem.slice(7);
    const fuzzy = await api(`/api/users?q=${typo}`, { cookie: searcher.cookie });
    const found = (await fuzzy.json<{ users: UserSummary[] }>()).users.map((u) => u.id);
    expect(found).toContain(exact.user.id);

    const self = await api(`/api/users?q=${searcher.user.username}`, { cookie: searcher.cookie });
    expect((await self.json<{ users: UserSummary[] }>()).users.map((u) => u.id)).not.toContain(searcher.user.id);
  });

  it("needs a session and a query of 1 to 32 characters", async () => {
    const { cookie } = await signUp();
    expect((await api("/api/users?q=abc")).status).toBe(401);
    expect((await api("/api/users", { cookie })).status).toBe(400);
    expect((await api("/api/users?q=%20%20", { cookie })).status).toBe(400);
    expect((await api(`/api/users?q=${"a".repeat(33)}`, { cookie })).status).toBe(400);
  });
});

describe("connections", () => {
  it("connects two people both ways, idempotently, most recent activity first", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const cid = await signUp();
    const first = await api("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(first.status).toBe(201);
    const { connection } = await first.json<{ connection: Connection }>();
    expect(connection).toMatchObject({
      user: { id: bob.user.id, username: bob.user.username },
      online: false,
      lastMessage: null,
      unread: 0,
    });
    const again = await api("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(again.status).toBe(200);
    expect((await again.json<{ connection: Connection }>()).connection.conversationId).toBe(connection.conversationId);
    const reverse = await api("/api/connections", { cookie: bob.cookie, body: { userId: ann.user.id } });
    expect(reverse.status).toBe(200);

    const withCid = await connect(ann, cid);
    const socket = await openSocket(roomPath(connection.conversationId), bob.cookie);
    socket.send({ type: "send", id: "latest", body: "newest activity" });
    await socket.nextOfType("ack");
    await expect
      .poll(async () => {
        const list = await (await api("/api/connections", { cookie: ann.cookie })).json<{
          connections: Connection[];
        }>();
        return list.connections.map((c) => [c.conversationId, c.unread, c.lastMessage?.body ?? null]);
      })
      .toEqual([
        [connection.conversationId, 1, "newest activity"],
        [withCid, 0, null],
      ]);
    socket.close();
  });

  it("refuses yourself, unknown people and bad bodies", async () => {
    const ann = await signUp();
    const self = await api("/api/connections", { cookie: ann.cookie, body: { userId: ann.user.id } });
    expect(self.status).toBe(400);
    expect(await self.json()).toMatchObject({ error: { code: "cannot_connect_self" } });
    const unknown = await api("/api/connections", { cookie: ann.cookie, body: { userId: "nobody" } });
    expect(unknown.status).toBe(404);
    expect((await api("/api/connections", { cookie: ann.cookie, body: { userId: 42 } })).status).toBe(400);
    expect((await api("/api/connections", { body: { userId: "x" } })).status).toBe(401);
  });

  it("removes a connection for both sides and closes the door to its conversation", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const removed = await api(`/api/connections/${bob.user.id}`, { method: "DELETE", cookie: ann.cookie });
    expect(removed.status).toBe(204);
    const bobs = await (await api("/api/connections", { cookie: bob.cookie })).json<{ connections: Connection[] }>();
    expect(bobs.connections).toEqual([]);
    const history = await api(`/api/conversations/${conversationId}/messages`, { cookie: bob.cookie });
    expect(history.status).toBe(404);
    expect((await api(`/api/connections/${bob.user.id}`, { method: "DELETE", cookie: ann.cookie })).status).toBe(204);
  });
});

describe("GET /api/conversations/:id/messages", () => {
  it("pages history backwards, oldest first within a page, with hasMore", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const socket = await openSocket(roomPath(conversationId), ann.cookie);
    for (let i = 1; i <= 7; i++) {
      socket.send({ type: "send", id: `h${i}`, body: `message ${i}` });
      await socket.nextOfType("ack");
    }
    const page = async (query: string) =>
      (await api(`/api/conversations/${conversationId}/messages${query}`, { cookie: bob.cookie })).json<{
        messages: Message[];
        hasMore: boolean;
      }>();
    const newest = await page("?limit=3");
    expect(newest.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.hasMore).toBe(true);
    const older = await page("?limit=3&before=5");
    expect(older.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    const oldest = await page("?limit=3&before=2");
    expect(oldest).toMatchObject({ hasMore: false });
    expect(oldest.messages.map((m) => m.body)).toEqual(["message 1"]);
    expect(oldest.messages[0]).toMatchObject({ id: "h1", conversationId, senderId: ann.user.id });
    expect(Date.parse(oldest.messages[0]!.sentAt)).not.toBeNaN();
    socket.close();
  });

  it("answers strangers exactly as for an unknown conversation (404), and bad paging with 400", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const eve = await signUp();
    const conversationId = await connect(ann, bob);
    const existing = await api(`/api/conversations/${conversationId}/messages`, { cookie: eve.cookie });
    const unknown = await api(`/api/conversations/dm_unknown/messages`, { cookie: eve.cookie });
    expect(existing.status).toBe(404);
    expect(await existing.json()).toEqual(await unknown.json());
    for (const query of ["?limit=0", "?limit=101", "?limit=abc", "?before=0", "?before=-3"]) {
      const response = await api(`/api/conversations/${conversationId}/messages${query}`, { cookie: ann.cookie });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_input" } });
    }
  });
});

describe("DELETE /api/me", () => {
  it("removes the account, its connections and its conversations", async () => {
    const ann = await signUp(uniqueName("gone"));
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const socket = await openSocket(roomPath(conversationId), ann.cookie);
    socket.send({ type: "send", id: "bye", body: "last words" });
    await socket.nextOfType("ack");
    const removed = await api("/api/me", { method: "DELETE", cookie: ann.cookie });
    expect(removed.status).toBe(204);
    expect((await socket.waitClosed()).code).toBe(4001);
    expect((await api("/api/me", { cookie: ann.cookie })).status).toBe(401);
    const login = await api("/api/auth/login", {
      body: { username: ann.user.username, password: "correct horse battery" },
    });
    expect(login.status).toBe(401);
    const bobs = await (await api("/api/connections", { cookie: bob.cookie })).json<{ connections: Connection[] }>();
    expect(bobs.connections).toEqual([]);
    expect((await api(`/api/conversations/${conversationId}/messages`, { cookie: bob.cookie })).status).toBe(404);
    const search = await (await api(`/api/users?q=${ann.user.username}`, { cookie: bob.cookie })).json<{
      users: UserSummary[];
    }>();
    expect(search.users.map((u) => u.id)).not.toContain(ann.user.id);
  });
});

describe("the rest of the API", () => {
  it("reports health with the adapters in use", async () => {
    const response = await api("/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      store: "embedded",
      cache: "embedded",
      answers: { store: true, cache: true },
    });
  });

  it("answers unknown routes with a JSON 404 and sends security headers", async () => {
    const response = await api("/api/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Strict-Transport-Security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("ignores an identity header from outside: a member cannot speak as another member", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const conversationId = await connect(ann, bob);
    const forged = JSON.stringify({
      userId: ann.user.id,
      username: ann.user.username,
      sessionId: "forged",
      expiresAt: Date.now() + 3_600_000,
      conversationId,
      members: [{ id: ann.user.id, username: ann.user.username }],
    });
    const response = await upgrade(roomPath(conversationId), bob.cookie, ORIGIN, { "X-Chat-Identity": forged });
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    const socket = new TestSocket(response.webSocket!);
    expect(await socket.nextOfType("hello")).toMatchObject({ me: bob.user.id });
    socket.send({ type: "send", id: "who-am-i", body: "hi" });
    expect(await socket.nextOfType("message")).toMatchObject({ message: { senderId: bob.user.id } });
    socket.close();
  });
});
