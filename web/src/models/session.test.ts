import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeBrowser } from "../../../test/web/fake-websocket";
import { MemoryStorage } from "../../../test/web/fixtures";
import { OutboxStore } from "./outbox-store";

const USER = {
  id: "ann",
  username: "ann",
  createdAt: "2025-03-10T12:00:00Z",
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
};

/** The server: /api/me and login answer with the user; logout answers when `finishLogout` is called. */
function fakeServer() {
  let finishLogout = () => {};
  const fetch = vi.fn(async (path: string) => {
    if (path === "/api/auth/logout") {
      await new Promise<void>((done) => {
        finishLogout = done;
      });
      return new Response(null, { status: 204 });
    }
    return Response.json({ user: USER });
  });
  return { fetch, finishLogout: () => finishLogout() };
}

async function signedIn() {
  const server = fakeServer();
  vi.stubGlobal("fetch", server.fetch);
  vi.stubGlobal("history", { state: null, pushState() {}, replaceState() {} });
  // The session module reads the address bar when it loads: after the fakes are in place.
  const { SessionModel } = await import("./session");
  const store = new OutboxStore(new MemoryStorage());
  store.save(USER.id, "c1", { id: "m1", body: "unsent", createdAt: new Date().toISOString() });
  const hints = new MemoryStorage();
  hints.setItem("chat.session", "1");
  const session = new SessionModel(store, hints);
  await session.load();
  expect(session.status.value).toBe("signed-in");
  return { session, store, server, hints };
}

beforeEach(() => {
  vi.resetModules();
  installFakeBrowser();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a session a socket says has ended", () => {
  it("ends with 'You logged out in another tab.' and forgets what was left unsent", async () => {
    const { session, store } = await signedIn();
    session.ended({ kind: "session" });
    expect(session.status.value).toBe("signed-out");
    expect(session.user.value).toBeNull();
    expect(session.notice.value).toBe("You logged out in another tab.");
    expect(store.conversations(USER.id)).toEqual([]);
  });

  it("names why the account ended, and takes an ending with no reason for an expiry", async () => {
    const deleted = await signedIn();
    deleted.session.ended({ kind: "account", reason: "deleted" });
    expect(deleted.session.notice.value).toBe("Your account was deleted.");

    const unknown = await signedIn();
    unknown.session.ended({ kind: "account", reason: null });
    expect(unknown.session.notice.value).toBe("Your account has reached the end of its lifetime and was removed.");
    expect(unknown.store.conversations(USER.id)).toEqual([]);
  });

  it("is no news in the tab that is logging out: the server closes its sockets too", async () => {
    const { session, server } = await signedIn();
    const leaving = session.logout();
    session.ended({ kind: "session" });
    expect(session.status.value).toBe("signed-in");
    server.finishLogout();
    await leaving;
    expect(session.status.value).toBe("signed-out");
    expect(session.notice.value).toBeNull();
  });
});

describe("a page load with no sign of a session", () => {
  it("does not ask /api/me, so a signed-out visit logs no 401", async () => {
    const server = fakeServer();
    vi.stubGlobal("fetch", server.fetch);
    vi.stubGlobal("history", { state: null, pushState() {}, replaceState() {} });
    const { SessionModel } = await import("./session");
    const session = new SessionModel(new OutboxStore(new MemoryStorage()), new MemoryStorage());
    await session.load();
    expect(session.status.value).toBe("signed-out");
    expect(server.fetch).not.toHaveBeenCalled();
  });

  it("is set by login and cleared by logout and by an ended session", async () => {
    const { session, server, hints } = await signedIn();
    const leaving = session.logout();
    server.finishLogout();
    await leaving;
    expect(hints.getItem("chat.session")).toBeNull();
    await session.login("ann", "password123");
    expect(hints.getItem("chat.session")).toBe("1");
    session.ended({ kind: "session" });
    expect(hints.getItem("chat.session")).toBeNull();
  });
});
