import { describe, expect, it } from "vitest";
import { openSocket, pair, roomPath } from "./helpers";

describe("a refusal names what it refuses", () => {
  for (const [label, body] of [
    ["nothing visible", "\u200b \u200c"],
    ["a control character", "hi\u0007there"],
    ["no body at all", undefined],
  ] as const) {
    it(`names the send's id when its body has ${label}, and stores nothing`, async () => {
      const { ann, bob, conversationId } = await pair();
      const a = await openSocket(roomPath(conversationId), ann.cookie);
      const b = await openSocket(roomPath(conversationId), bob.cookie);
      await a.nextOfType("hello");
      a.send({ type: "send", id: "refused-body", body });
      expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame", id: "refused-body" });
      a.send({ type: "send", id: "after", body: "visible" });
      expect(await b.nextOfType("message")).toMatchObject({ message: { id: "after", seq: 1 } });
      a.close();
      b.close();
    });
  }

  it("names no message when the frame's id is not a valid one", async () => {
    const { ann, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    await a.nextOfType("hello");
    a.send({ type: "send", id: "not an id", body: "" });
    const refused = await a.nextOfType("error");
    expect(refused).toMatchObject({ code: "invalid_frame" });
    expect(refused).not.toHaveProperty("id");
    a.close();
  });

  it("names the seq of a delete it refuses", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "anns", body: "mine" });
    expect(await a.nextOfType("ack")).toMatchObject({ seq: 1 });
    b.send({ type: "delete", seq: 1 });
    expect(await b.nextOfType("error")).toMatchObject({ code: "invalid_frame", seq: 1 });
    a.send({ type: "delete", seq: 1 });
    expect(await b.nextOfType("deleted")).toMatchObject({ seq: 1 });
    a.send({ type: "delete", seq: 1 });
    expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame", seq: 1 });
    a.close();
    b.close();
  });
});
