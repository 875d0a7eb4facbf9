import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roomFor } from "../../durable-objects/addresses";
import { ConversationLog } from "../../durable-objects/room-log";
import { CLOSE_POLICY_VIOLATION, CLOSE_REPLACED, WIRE_LIMITS } from "../../protocol/wire";
import { type Frame, HUB, openSocket, pair, roomPath, signUp, type TestSocket } from "./helpers";

/** Stores `count` messages straight into the room's log: a long history without the send limits. */
async function seedHistory(conversationId: string, senderId: string, count: number): Promise<void> {
  await runInDurableObject(roomFor(env, conversationId), (_room, state) => {
    const log = new ConversationLog(state.storage);
    for (let i = 1; i <= count; i++)
      log.append(`seed-${i}`, senderId, `message number ${i} `.repeat(20), Date.now(), Number.MAX_SAFE_INTEGER);
  });
}

/** Counts frames and bytes a socket receives. */
function meter(socket: TestSocket) {
  const totals = { frames: 0, bytes: 0 };
  socket.ws.addEventListener("message", (event) => {
    totals.frames += 1;
    totals.bytes += typeof event.data === "string" ? event.data.length : 0;
  });
  return totals;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("per-frame budgets", () => {
  it("replays one page per resume and says where it stopped", async () => {
    const { ann, conversationId } = await pair();
    const socket = await openSocket(roomPath(conversationId), ann.cookie);
    await socket.nextOfType("hello");
    await seedHistory(conversationId, ann.user.id, 240);
    socket.send({ type: "resume", afterSeq: 0 });
    expect(await socket.nextOfType("replayed")).toEqual({ type: "replayed", throughSeq: 200, more: true });
    expect(socket.pending("message")).toHaveLength(200);
    socket.send({ type: "resume", afterSeq: 200 });
    expect(await socket.nextOfType("replayed")).toEqual({ type: "replayed", throughSeq: 240, more: false });
    expect(socket.pending("message")).toHaveLength(240);
    socket.close();
  });

  it("keeps a resume flood within the budget and closes the flooding socket", async () => {
    const { ann, conversationId } = await pair();
    const socket = await openSocket(roomPath(conversationId), ann.cookie);
    await socket.nextOfType("hello");
    await seedHistory(conversationId, ann.user.id, 240);
    const received = meter(socket);
    const started = Date.now();
    for (let i = 0; i < 100; i++) socket.send({ type: "resume", afterSeq: 0 });
    const closed = await socket.waitClosed(5000);
    const seconds = (Date.now() - started) / 1000;
    expect(closed.code).toBe(CLOSE_POLICY_VIOLATION);
    const pages = WIRE_LIMITS.resumeBurst + Math.ceil(seconds * WIRE_LIMITS.resumesPerSecond);
    // 100 unbounded replays of 240 messages would be 24 000 frames.
    expect(received.frames).toBeLessThanOrEqual(pages * (WIRE_LIMITS.replayPage + 1) + 100);
    expect(received.bytes).toBeLessThan(pages * WIRE_LIMITS.replayPage * 600);
  });

  it("relays typing at most once a second per user, however fast it comes", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await b.nextOfType("hello");
    const started = Date.now();
    for (let i = 0; i < 2000; i++) a.send({ type: "typing", on: true });
    a.send({ type: "send", id: "after-typing", body: "done typing" });
    await b.next((frame: Frame) => frame.type === "message");
    const seconds = (Date.now() - started) / 1000;
    const typingOn = b.pending("typing").filter((frame) => frame.on === true);
    expect(typingOn.length).toBeGreaterThanOrEqual(1);
    expect(typingOn.length).toBeLessThanOrEqual(1 + Math.ceil(seconds));
    a.close();
    b.close();
  });

  it("coalesces read receipts: the others see the latest cursor, not every step", async () => {
    const { ann, bob, conversationId } = await pair();
    await seedHistory(conversationId, ann.user.id, 50);
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await a.nextOfType("hello");
    for (let seq = 1; seq <= 50; seq++) b.send({ type: "read", seq });
    expect(await a.next((frame) => frame.type === "read" && frame.seq === 50)).toMatchObject({ userId: bob.user.id });
    await sleep(300);
    expect(a.pending("read").length).toBeLessThanOrEqual(2);
    a.close();
    b.close();
  });
});

describe("bounded sockets", () => {
  it("closes a user's oldest room socket when they open one too many", async () => {
    const { ann, conversationId } = await pair();
    const sockets: TestSocket[] = [];
    for (let i = 0; i <= WIRE_LIMITS.socketsPerUser; i++)
      sockets.push(await openSocket(roomPath(conversationId), ann.cookie));
    expect((await sockets[0]!.waitClosed()).code).toBe(CLOSE_REPLACED);
    const newest = sockets.at(-1)!;
    newest.send({ type: "send", id: "still-fine", body: "the newest works" });
    expect(await newest.nextOfType("ack")).toMatchObject({ id: "still-fine" });
    for (const socket of sockets) socket.close();
  });

  it("closes a user's oldest hub socket when they open one too many", async () => {
    const ann = await signUp();
    const sockets: TestSocket[] = [];
    for (let i = 0; i <= WIRE_LIMITS.socketsPerUser; i++) sockets.push(await openSocket(HUB, ann.cookie));
    expect((await sockets[0]!.waitClosed()).code).toBe(CLOSE_REPLACED);
    expect(sockets[1]!.closed).toBeNull();
    for (const socket of sockets) socket.close();
  });

  it("closes a hub socket that keeps sending junk", async () => {
    const ann = await signUp();
    const hub = await openSocket(HUB, ann.cookie);
    for (let i = 0; i <= WIRE_LIMITS.maxViolations; i++) hub.send({ type: "junk", i });
    expect((await hub.waitClosed()).code).toBe(CLOSE_POLICY_VIOLATION);
  });
});

describe("storage budget", () => {
  it("refuses a message past the sender's budget in a conversation, and stores nothing", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await a.nextOfType("hello");
    await runInDurableObject(roomFor(env, conversationId), (_room, state) => {
      state.storage.sql.exec(
        "UPDATE members SET stored_chars = ? WHERE user_id = ?",
        WIRE_LIMITS.storedCharsPerUser - 5,
        ann.user.id,
      );
    });
    a.send({ type: "send", id: "too-much", body: "more than five characters" });
    expect(await a.nextOfType("error")).toMatchObject({ code: "quota_exceeded", id: "too-much" });
    b.send({ type: "send", id: "bob-still-can", body: "bob has his own budget" });
    expect(await a.nextOfType("message")).toMatchObject({ message: { id: "bob-still-can", seq: 1 } });
    a.close();
    b.close();
  });
});

describe("honest text", () => {
  for (const [label, body] of [
    ["only zero-width characters", "\u200b\u200c\u200d"],
    ["only a right-to-left override", "\u202e"],
    ["a NUL", "hi\u0000there"],
    ["an escape character", "\u001b[31mred"],
    ["a lone surrogate", "broken \ud800 text"],
  ] as const) {
    it(`refuses a body with ${label}, and stores nothing`, async () => {
      const { ann, bob, conversationId } = await pair();
      const a = await openSocket(roomPath(conversationId), ann.cookie);
      const b = await openSocket(roomPath(conversationId), bob.cookie);
      a.send({ type: "send", id: "bad-text", body });
      expect(await a.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
      a.send({ type: "send", id: "good-text", body: "visible \u202eevil\u202c text" });
      expect(await b.nextOfType("message")).toMatchObject({ message: { id: "good-text", seq: 1 } });
      a.close();
      b.close();
    });
  }
});

describe("sequence numbers", () => {
  it("are used up only by stored messages: a resend leaves no hole", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    a.send({ type: "send", id: "first", body: "one" });
    expect(await a.nextOfType("ack")).toMatchObject({ seq: 1 });
    a.send({ type: "send", id: "first", body: "one" });
    expect(await a.nextOfType("ack")).toMatchObject({ id: "first", seq: 1 });
    b.send({ type: "send", id: "second", body: "two" });
    expect(await b.nextOfType("ack")).toMatchObject({ seq: 2 });
    a.close();
    b.close();
  });
});

describe("a rate refusal", () => {
  it("says how long to wait, refuses every send until then, and takes the same id after", async () => {
    const { ann, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    await a.nextOfType("hello");
    for (let i = 0; i < WIRE_LIMITS.sendBurst + 2; i++)
      a.send({ type: "send", id: `burst-${i}`, body: `message ${i}` });
    const refused = await a.nextOfType("error");
    expect(refused).toMatchObject({ code: "rate_limited", id: `burst-${WIRE_LIMITS.sendBurst}` });
    expect(Number(refused.retryAfterMs)).toBeGreaterThan(0);
    // The next one, sent in the same pause, is refused too: it cannot overtake.
    expect(await a.nextOfType("error")).toMatchObject({
      code: "rate_limited",
      id: `burst-${WIRE_LIMITS.sendBurst + 1}`,
    });
    await sleep(Number(refused.retryAfterMs) + 50);
    a.send({ type: "send", id: `burst-${WIRE_LIMITS.sendBurst}`, body: `message ${WIRE_LIMITS.sendBurst}` });
    expect(
      await a.next((frame) => frame.type === "ack" && frame.id === `burst-${WIRE_LIMITS.sendBurst}`),
    ).toMatchObject({
      seq: WIRE_LIMITS.sendBurst + 1,
    });
    a.close();
  });
});
