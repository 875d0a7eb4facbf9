import { describe, expect, it } from "vitest";
import type { Connection } from "../../protocol/api";
import { CLOSE_CONVERSATION_ENDED, CLOSE_SESSION_ENDED } from "../../protocol/wire";
import { apiFrom, baseUrl, type Person, suiteAddress, within, wsUrl } from "./api";
import { openRaw } from "./raw-socket";

const { call, signUp } = apiFrom(suiteAddress());
/** How soon a close must reach the client. */
const PROMPT_MS = 1000;

function headers(person: Person): Record<string, string> {
  return { Cookie: person.cookie, Origin: baseUrl };
}

/** Node's own WebSocket (undici): its close event fires only once the TCP connection has ended. */
function openNode(path: string, person: Person): Promise<{ ws: WebSocket; closed: Promise<CloseEvent> }> {
  const ws = new WebSocket(`${wsUrl}${path}`, { headers: headers(person) } as never);
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve({ ws, closed }));
    ws.addEventListener("error", () => reject(new Error(`could not open ${path}`)));
  });
}

/** Ann asked Bob to connect: the request's conversation is open to both. */
async function annAndBob(): Promise<{ ann: Person; bob: Person; conversationId: string }> {
  const ann = await signUp("ann");
  const bob = await signUp("bob");
  const added = await call("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
  expect(added.status).toBe(201);
  const { conversationId } = ((await added.json()) as { connection: Connection }).connection;
  return { ann, bob, conversationId };
}

describe("a socket the server closes", () => {
  it("closes a logged-out session's hub and room sockets with 4002 at once", async () => {
    const { ann, conversationId } = await annAndBob();
    const hub = await openRaw(`${wsUrl}/api/me/ws`, headers(ann));
    const room = await openRaw(`${wsUrl}/api/conversations/${conversationId}/ws`, headers(ann));

    expect((await call("/api/auth/logout", { method: "POST", cookie: ann.cookie })).status).toBe(204);

    expect(await within(hub.closeFrame, PROMPT_MS, "the hub's Close frame")).toMatchObject({
      code: CLOSE_SESSION_ENDED,
    });
    expect(await within(room.closeFrame, PROMPT_MS, "the room's Close frame")).toMatchObject({
      code: CLOSE_SESSION_ENDED,
    });
    hub.destroy();
    room.destroy();
  });

  it("closes both members' room sockets with 4003 at once when the connection is removed", async () => {
    const { ann, bob, conversationId } = await annAndBob();
    const annRoom = await openRaw(`${wsUrl}/api/conversations/${conversationId}/ws`, headers(ann));
    const bobRoom = await openRaw(`${wsUrl}/api/conversations/${conversationId}/ws`, headers(bob));

    const removed = await call(`/api/connections/${bob.user.id}`, { method: "DELETE", cookie: ann.cookie });
    expect(removed.status).toBe(204);

    for (const [name, room] of [
      ["Ann's", annRoom],
      ["Bob's", bobRoom],
    ] as const) {
      expect(await within(room.closeFrame, PROMPT_MS, `${name} Close frame`)).toMatchObject({
        code: CLOSE_CONVERSATION_ENDED,
      });
      room.destroy();
    }
  });

  // workerd keeps the TCP connection of a hibernatable socket that the object closed first until
  // the object hibernates (10 s idle; never while it stays busy): bench/hibernation-close.mjs
  // shows it with workerd alone. A browser gives up waiting after 2 s; Node's WebSocket waits on.
  // The objects have nothing to call that would let the connection go. This fails while workerd
  // does that: when it passes, drop `.fails`.
  it.fails("ends the connection too, so a Node client's close event follows within 1 s", async () => {
    const { ann, conversationId } = await annAndBob();
    const hub = await openNode("/api/me/ws", ann);
    const room = await openNode(`/api/conversations/${conversationId}/ws`, ann);

    expect((await call("/api/auth/logout", { method: "POST", cookie: ann.cookie })).status).toBe(204);

    const closes = await within(Promise.all([hub.closed, room.closed]), PROMPT_MS, "the close events");
    expect(closes.map((event) => event.code)).toEqual([CLOSE_SESSION_ENDED, CLOSE_SESSION_ENDED]);
  });
});

describe("a socket the client closes", () => {
  it("gets the server's Close back and the connection ends, in the hub and in a room", async () => {
    const { ann, conversationId } = await annAndBob();
    const hub = await openNode("/api/me/ws", ann);
    const room = await openNode(`/api/conversations/${conversationId}/ws`, ann);

    hub.ws.close(1000, "bye");
    room.ws.close(1000, "bye");

    const closes = await within(Promise.all([hub.closed, room.closed]), PROMPT_MS, "the close events");
    expect(closes.map((event) => [event.code, event.wasClean])).toEqual([
      [1000, true],
      [1000, true],
    ]);
  });
});
