import { describe, expect, it } from "vitest";
import type { Connection, Message } from "../../protocol/api";
import { apiFrom, baseUrl, suiteAddress } from "./api";

const { call, signUp } = apiFrom(suiteAddress());

/** A real WebSocket client (Node's), collecting JSON frames. */
function open(
  path: string,
  cookie: string,
): Promise<{ ws: WebSocket; next: (type: string) => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, {
    headers: { Cookie: cookie, Origin: baseUrl },
  } as never);
  const frames: Record<string, unknown>[] = [];
  ws.addEventListener("message", (event) => frames.push(JSON.parse(String(event.data)) as Record<string, unknown>));
  const next = async (type: string) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const index = frames.findIndex((frame) => frame.type === type);
      if (index >= 0) return frames.splice(index, 1)[0]!;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${type} frame; have ${JSON.stringify(frames)}`);
  };
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve({ ws, next }));
    ws.addEventListener("error", () => reject(new Error(`could not open ${path}`)));
  });
}

describe("the app under wrangler dev", () => {
  it("serves the web app and reports the embedded adapters", async () => {
    const page = await fetch(baseUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<!doctype html>");
    const health = await fetch(`${baseUrl}/api/health`);
    expect(await health.json()).toMatchObject({
      ok: true,
      store: "embedded",
      cache: "embedded",
      answers: { store: true, cache: true },
    });
  });

  it("lets a browser keep the hashed files for good and ask again for the page", async () => {
    for (const path of ["/", "/c/some-conversation"]) {
      const page = await fetch(`${baseUrl}${path}`);
      expect(page.headers.get("cache-control")).not.toContain("immutable");
      const html = await page.text();
      const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) {
        const asset = await fetch(`${baseUrl}${script}`);
        expect(asset.status).toBe(200);
        expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      }
    }
  });

  it("lets two people sign up, connect and chat both ways over real sockets", async () => {
    const ann = await signUp("ann");
    const bob = await signUp("bob");
    const added = await call("/api/connections", { cookie: ann.cookie, body: { userId: bob.user.id } });
    expect(added.status).toBe(201);
    const { conversationId } = ((await added.json()) as { connection: Connection }).connection;

    const bobHub = await open("/api/me/ws", bob.cookie);
    const annRoom = await open(`/api/conversations/${conversationId}/ws`, ann.cookie);
    expect(await annRoom.next("hello")).toMatchObject({ conversationId, me: ann.user.id });

    // Bob does not have the chat open: his hub tells him.
    annRoom.ws.send(JSON.stringify({ type: "send", id: "e2e-1", body: "hello from ann" }));
    expect(await annRoom.next("ack")).toEqual({ type: "ack", id: "e2e-1", seq: 1 });
    expect(await bobHub.next("unread")).toMatchObject({ conversationId, unread: 1 });

    const bobRoom = await open(`/api/conversations/${conversationId}/ws`, bob.cookie);
    expect(await bobRoom.next("hello")).toMatchObject({ lastSeq: 1 });

    bobRoom.ws.send(JSON.stringify({ type: "send", id: "e2e-2", body: "hi ann" }));
    expect(await bobRoom.next("ack")).toEqual({ type: "ack", id: "e2e-2", seq: 2 });
    // Ann's own message comes back to her first, in order; then Bob's reaches her.
    expect(await annRoom.next("message")).toMatchObject({ message: { id: "e2e-1", senderId: ann.user.id } });
    expect(await annRoom.next("message")).toMatchObject({
      message: { id: "e2e-2", body: "hi ann", senderId: bob.user.id },
    });

    const history = await call(`/api/conversations/${conversationId}/messages`, { cookie: bob.cookie });
    const { messages } = (await history.json()) as { messages: Message[] };
    expect(messages.map((m) => [m.seq, m.body])).toEqual([
      [1, "hello from ann"],
      [2, "hi ann"],
    ]);
    for (const socket of [bobHub, annRoom, bobRoom]) socket.ws.close();
  });
});
