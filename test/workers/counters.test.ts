import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBenchApp } from "../../bench/worker/index";
import { roomFor } from "../../durable-objects/addresses";
import { type CounterTotals, countedStorage, countedStub, enableCounters, readCounters } from "../../server/counters";
import { createApp } from "../../worker/app";
import { api, HUB, ORIGIN, openSocket, pair, roomPath } from "./helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Past the room's hub-notice delay (250 ms), so anything it would send has been sent. */
const SETTLE_MS = 600;

describe("bench counters, off", () => {
  it("wraps nothing when BENCH_COUNTERS is not 1, and the product's Worker has no read-out", async () => {
    const stub = env.ROOMS.get(env.ROOMS.idFromName(crypto.randomUUID()));
    expect(countedStub(stub, "room", { BENCH_COUNTERS: "" })).toBe(stub);
    await runInDurableObject(stub, (_room, state) => {
      expect(countedStorage(state.storage, "room", {})).toBe(state.storage);
    });
    expect((await api("/api/__bench/counters")).status).toBe(404);
  });
});

describe("bench counters, on", () => {
  let disable: () => void;
  beforeAll(() => {
    disable = enableCounters();
  });
  afterAll(() => disable());

  it("counts a message with both members present as one room transaction and no cross-object or network call", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const b = await openSocket(roomPath(conversationId), bob.cookie);
    await b.nextOfType("hello");
    a.send({ type: "send", id: "warm", body: "the room is awake" });
    await b.nextOfType("message");
    await sleep(SETTLE_MS);
    readCounters();

    a.send({ type: "send", id: "counted", body: "one message" });
    expect(await a.next((frame) => frame.type === "ack" && frame.id === "counted")).toBeTruthy();
    await b.nextOfType("message");
    await sleep(SETTLE_MS);
    const counted = readCounters();
    expect(counted.by).toMatchObject({ "transactions.room": 1 });
    expect(counted.totals.transactions).toBe(1);
    expect(counted.by["rowsWritten.room"]).toBeGreaterThan(0);
    expect(counted.totals.crossObjectCalls).toBe(0);
    expect(counted.totals.networkCalls).toBe(0);
    a.close();
    b.close();
  });

  it("counts one hub notice for a burst of messages to a member who is not in the room", async () => {
    const { ann, bob, conversationId } = await pair();
    const a = await openSocket(roomPath(conversationId), ann.cookie);
    const bobsHub = await openSocket(HUB, bob.cookie);
    await a.nextOfType("hello");
    a.send({ type: "send", id: "warm", body: "the room is awake" });
    await bobsHub.nextOfType("unread");
    await sleep(SETTLE_MS);
    readCounters();

    for (let i = 0; i < 3; i++) a.send({ type: "send", id: `burst-${i}`, body: `message ${i}` });
    expect(await bobsHub.next((frame) => frame.type === "unread" && frame.unread === 4)).toBeTruthy();
    await sleep(SETTLE_MS);
    const counted = readCounters();
    expect(counted.by).toMatchObject({ "transactions.room": 3, "crossObjectCalls.hub": 1 });
    expect(counted.totals.crossObjectCalls).toBe(1);
    expect(counted.by["rowsWritten.hub"]).toBeGreaterThan(0);
    a.close();
    bobsHub.close();
  });

  it("counts a call through a stub from the addresses", async () => {
    const room = roomFor(env, crypto.randomUUID());
    await room.history(undefined, 1);
    readCounters();
    await room.history(undefined, 1);
    expect(readCounters().by["crossObjectCalls.room"]).toBe(1);
  });

  it("reads out through the bench's app only: the product's app has no read-out even while counting", async () => {
    await roomFor(env, crypto.randomUUID()).history(undefined, 1);
    const response = await createBenchApp({ counters: true }).request(`${ORIGIN}/api/__bench/counters`, {}, env);
    expect(response.status).toBe(200);
    expect((await response.json<CounterTotals>()).by["crossObjectCalls.room"]).toBeGreaterThanOrEqual(1);
    const readOut = async (app: Pick<ReturnType<typeof createApp>, "request">) =>
      app.request(`${ORIGIN}/api/__bench/counters`, {}, env);
    expect((await readOut(createApp())).status).toBe(404);
    expect((await readOut(createBenchApp({ counters: false }))).status).toBe(404);
  });
});
