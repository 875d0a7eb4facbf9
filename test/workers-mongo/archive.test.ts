import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { storeAt } from "../../server/ports/index";
import type { ArchivedMessage } from "../../server/ports/store";
import { connect, type Frame, openSocket, roomPath, signUp, type TestSocket, uniqueName } from "../workers/helpers";
import { eventually, mongo, mongoControl, storeAnswers } from "./mongo-control";

const host = () => storeAt(env, "mongo-0");

async function archived(conversationId: string): Promise<ArchivedMessage[]> {
  const page = await host().messagesBefore(conversationId, Number.MAX_SAFE_INTEGER, 500);
  return page.ok ? page.value : [];
}

/** Sends `count` messages and waits for each ack; returns how long the acks took. */
async function sendAll(socket: TestSocket, prefix: string, count: number): Promise<number> {
  const started = Date.now();
  for (let i = 1; i <= count; i++) {
    socket.send({ type: "send", id: `${prefix}-${i}`, body: `${prefix} ${i}` });
    await socket.next((frame: Frame) => frame.type === "ack" && frame.id === `${prefix}-${i}`);
  }
  return Date.now() - started;
}

describe("the message archive on MongoDB", () => {
  it("copies every committed message to the messages collection, in batches, by the room's alarm", async () => {
    const ann = await signUp(uniqueName("ann"));
    const bob = await signUp(uniqueName("bob"));
    const conversationId = await connect(ann, bob);
    const room = await openSocket(roomPath(conversationId), ann.cookie);
    await room.nextOfType("hello");
    // Within the per-socket burst: the room would refuse more at once.
    await sendAll(room, "a", 8);
    await eventually(async () => (await archived(conversationId)).length === 8, 10_000, "8 archived messages");
    const messages = await archived(conversationId);
    expect(messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(messages[0]).toMatchObject({ conversationId, id: "a-1", senderId: ann.user.id, body: "a 1" });
    room.close();
  });
});

describe.skipIf(!mongoControl)("Mongo down mid-conversation", () => {
  afterAll(async () => {
    await mongo("start");
  });

  it("acks and delivers while Mongo is down, then archives every message exactly once after the restart", async () => {
    const ann = await signUp(uniqueName("ann"));
    const bob = await signUp(uniqueName("bob"));
    const conversationId = await connect(ann, bob);
    const annRoom = await openSocket(roomPath(conversationId), ann.cookie);
    const bobRoom = await openSocket(roomPath(conversationId), bob.cookie);
    await annRoom.nextOfType("hello");
    await bobRoom.nextOfType("hello");

    await sendAll(annRoom, "before", 3);
    await eventually(async () => (await archived(conversationId)).length === 3, 10_000, "3 archived messages");

    await mongo("stop");
    const ackTime = await sendAll(annRoom, "during", 5);
    // Acks never wait on Mongo: five in well under one server-selection timeout (2.5 s).
    expect(ackTime).toBeLessThan(2_000);
    for (let i = 1; i <= 5; i++) {
      const frame = await bobRoom.next(
        (f) => f.type === "message" && (f.message as { id: string }).id === `during-${i}`,
      );
      expect((frame.message as { seq: number }).seq).toBe(3 + i);
    }
    // The room's flush fails meanwhile and is retried with backoff.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    // An open socket catches up from the room alone.
    bobRoom.send({ type: "resume", afterSeq: 3 });
    for (let seq = 4; seq <= 8; seq++) {
      await bobRoom.next((f) => f.type === "message" && (f.message as { seq: number }).seq === seq);
    }

    await mongo("start");
    await eventually(storeAnswers, 20_000, "the store answering again");
    await eventually(async () => (await archived(conversationId)).length === 8, 30_000, "8 archived messages");
    const messages = await archived(conversationId);
    expect(messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(messages.map((message) => message.id)).toEqual([
      ...[1, 2, 3].map((i) => `before-${i}`),
      ...[1, 2, 3, 4, 5].map((i) => `during-${i}`),
    ]);
    annRoom.close();
    bobRoom.close();
  });
});
