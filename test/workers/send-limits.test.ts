import { describe, expect, it } from "vitest";
import { WIRE_LIMITS } from "../../protocol/wire";
import { RATE_RULES } from "../../server/rate-limit";
import { connect, type Frame, openSocket, pair, roomPath, signUp, type TestSocket } from "./helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { limit, windowSeconds } = RATE_RULES.sendPerUserPerRoom;
/** Sends each socket makes per round after its burst, and how long it waits for them. */
const PER_ROUND = 2;
const ROUND_MS = (PER_ROUND / WIRE_LIMITS.sendsPerSecond) * 1000 + 150;

/**
 * Sends `count` messages spread over `sockets` so that no socket's own bucket refuses one: each
 * socket's burst first, then a few per socket a round, each round after the bucket refilled.
 */
async function sendWithinEachSocketsBudget(sockets: TestSocket[], count: number): Promise<Frame[]> {
  const ids: string[] = [];
  for (let round = 0; ids.length < count; round++) {
    if (round > 0) await sleep(ROUND_MS);
    const quota = round === 0 ? WIRE_LIMITS.sendBurst : PER_ROUND;
    for (const [index, socket] of sockets.entries()) {
      for (let i = 0; i < quota && ids.length < count; i++) {
        const id = `s${index}-${ids.length}`;
        ids.push(id);
        socket.send({ type: "send", id, body: `message ${ids.length}` });
      }
    }
  }
  const answers: Frame[] = [];
  for (const id of ids) {
    const socket = sockets[Number(/^s(\d+)-/.exec(id)![1])]!;
    answers.push(await socket.next((frame) => (frame.type === "ack" || frame.type === "error") && frame.id === id));
  }
  return answers;
}

describe("sends per user per room", () => {
  it("refuses a user's sends past the limit across all their sockets in the room, naming the id and the wait", async () => {
    const { ann, bob, conversationId } = await pair();
    const sockets: TestSocket[] = [];
    for (let i = 0; i < WIRE_LIMITS.socketsPerUser; i++) {
      const socket = await openSocket(roomPath(conversationId), ann.cookie);
      await socket.nextOfType("hello");
      sockets.push(socket);
    }
    // More sockets than one burst's worth of sends each, so the per-socket bucket is not what refuses.
    expect(WIRE_LIMITS.socketsPerUser * WIRE_LIMITS.sendBurst).toBeLessThan(limit);
    const answers = await sendWithinEachSocketsBudget(sockets, limit);
    expect(answers.filter((frame) => frame.type !== "ack")).toEqual([]);
    expect(answers).toHaveLength(limit);

    // Each socket has a token again: only the per-user count can refuse now.
    await sleep(1000 / WIRE_LIMITS.sendsPerSecond + 100);
    sockets[0]!.send({ type: "send", id: "one-too-many", body: "over the limit" });
    const refused = await sockets[0]!.nextOfType("error");
    expect(refused).toMatchObject({ code: "rate_limited", id: "one-too-many" });
    // The wait is the rest of the window, not a socket's next token.
    expect(Number(refused.retryAfterMs)).toBeGreaterThan((windowSeconds - 10) * 1000);
    expect(Number(refused.retryAfterMs)).toBeLessThanOrEqual(windowSeconds * 1000);
    sockets[1]!.send({ type: "send", id: "from-another-socket", body: "over the limit" });
    expect(await sockets[1]!.nextOfType("error")).toMatchObject({ code: "rate_limited", id: "from-another-socket" });

    // Another member of the room is not limited by ann's count.
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await b.nextOfType("hello");
    b.send({ type: "send", id: "bobs", body: "mine" });
    expect(await b.nextOfType("ack")).toMatchObject({ id: "bobs", seq: limit + 1 });

    // Each room counts on its own: ann may still send in another conversation.
    const carol = await signUp();
    const other = await openSocket(roomPath(await connect(ann, carol)), ann.cookie);
    await other.nextOfType("hello");
    other.send({ type: "send", id: "elsewhere", body: "another room" });
    expect(await other.nextOfType("ack")).toMatchObject({ id: "elsewhere", seq: 1 });

    for (const socket of [...sockets, b, other]) socket.close();
  });
});
