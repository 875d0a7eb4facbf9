import { describe, expect, it } from "vitest";
import type { Connection, Message } from "../../protocol/api";
import { api, type Frame, HUB, openSocket, pair, roomPath } from "./helpers";

async function connectionsOf(cookie: string): Promise<Connection[]> {
  return (await (await api("/api/connections", { cookie })).json<{ connections: Connection[] }>()).connections;
}

describe("delete for everyone", () => {
  it("erases the sender's own message on every side, in history and in the preview", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "oops", body: "sent to the wrong person" });
    const seq = Number((await a.nextOfType("ack")).seq);
    a.send({ type: "delete", seq });
    expect(await b.nextOfType("deleted")).toEqual({ type: "deleted", seq });
    expect(await a.nextOfType("deleted")).toEqual({ type: "deleted", seq });

    const { messages } = await (
      await api(`/api/conversations/${conversationId}/messages`, { cookie: bob.cookie })
    ).json<{
      messages: Message[];
    }>();
    expect(messages).toEqual([expect.objectContaining({ seq, body: "", deleted: true })]);
    // Bob's list learns it from his hub once he is not in the chat any more.
    b.close();
    await expect
      .poll(async () => (await connectionsOf(bob.cookie))[0]?.lastMessage)
      .toMatchObject({ seq, body: "", deleted: true });
    a.close();
    b.close();
  });

  it("refuses to delete someone else's message, or one twice", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "mine", body: "ann's words" });
    const seq = Number((await a.nextOfType("ack")).seq);
    b.send({ type: "delete", seq });
    expect(await b.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
    a.send({ type: "delete", seq });
    await a.nextOfType("deleted");
    a.send({ type: "delete", seq });
    expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
    const { messages } = await (
      await api(`/api/conversations/${conversationId}/messages`, { cookie: ann.cookie })
    ).json<{
      messages: Message[];
    }>();
    expect(messages[0]).toMatchObject({ deleted: true });
    a.close();
    b.close();
  });
});

describe("last seen", () => {
  it("tells contacts when someone was last online, live and in the list", async () => {
    const { ann, bob } = await pair();
    const bobHub = await openSocket(HUB, bob.cookie);
    const annHub = await openSocket(HUB, ann.cookie);
    await bobHub.next(
      (frame: Frame) => frame.type === "presence" && frame.userId === ann.user.id && frame.online === true,
    );
    const before = Date.now();
    annHub.close();
    const offline = await bobHub.next(
      (frame) => frame.type === "presence" && frame.online === false && typeof frame.lastSeenAt === "string",
    );
    expect(Date.parse(String(offline.lastSeenAt))).toBeGreaterThanOrEqual(before - 1000);
    const [listed] = await connectionsOf(bob.cookie);
    expect(listed).toMatchObject({ online: false, lastSeenAt: offline.lastSeenAt });
    bobHub.close();
  });
});

describe("typing in the list", () => {
  it("reaches the hub of a member who does not have the chat open", async () => {
    const { ann, bob, conversationId } = await pair();
    const bobHub = await openSocket(HUB, bob.cookie);
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    a.send({ type: "typing", on: true });
    expect(await bobHub.nextOfType("typing")).toEqual({
      type: "typing",
      conversationId,
      userId: ann.user.id,
      on: true,
    });
    a.send({ type: "typing", on: false });
    expect(await bobHub.nextOfType("typing")).toMatchObject({ on: false });
    a.close();
    bobHub.close();
  });
});
