import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createBenchApp } from "../../bench/worker/index";
import { purgerFor } from "../../durable-objects/addresses";
import { BATCHES_IN_FLIGHT, PURGE_BATCH, type Purger } from "../../durable-objects/purger";
import type { Connection } from "../../protocol/api";
import { CLOSE_ACCOUNT_ENDED, CLOSE_CONVERSATION_ENDED } from "../../protocol/wire";
import { storeFor } from "../../server/ports";
import { runCron } from "./cron";
import { api, connect, HUB, ORIGIN, openSocket, roomPath, signUp } from "./helpers";

/**
 * Runs `purge` while the hubs of `userIds` cannot be reached by the Purger: every call to one
 * fails, as an unreachable object's would. Answers how many calls they got.
 */
async function withUnreachableHubs(userIds: string[], purge: () => Promise<void>): Promise<number> {
  let calls = 0;
  const unreachable = new Proxy(
    {},
    {
      get: () => () => {
        calls += 1;
        return Promise.reject(new Error("object unreachable"));
      },
    },
  );
  const purger = purgerFor(env);
  const own = await runInDurableObject(purger, (instance: Purger) => instance.bindings);
  const failingIds = userIds.map((userId) => own.HUBS.idFromName(userId));
  const bindings = {
    ...own,
    HUBS: {
      idFromName: (name: string) => own.HUBS.idFromName(name),
      get: (id: DurableObjectId) => (failingIds.some((failing) => failing.equals(id)) ? unreachable : own.HUBS.get(id)),
    },
  } as unknown as Env;
  await runInDurableObject(purger, (instance: Purger) => {
    instance.bindings = bindings;
  });
  try {
    await purge();
  } finally {
    await runInDurableObject(purger, (instance: Purger) => {
      instance.bindings = own;
    });
  }
  return calls;
}

/** Paired accounts with an accepted connection each, through the bench's seeding endpoint. */
async function seedPairs(seed: { prefix: string; from: number; pairs: number; lifetimeHours: number }) {
  const response = await createBenchApp({ counters: false }).request(
    `${ORIGIN}/api/__bench/seed`,
    { method: "POST", headers: { Origin: ORIGIN, "Content-Type": "application/json" }, body: JSON.stringify(seed) },
    env,
  );
  expect(response.status).toBe(201);
  return response.json<{ users: number; conversationIds: string[] }>();
}

describe("the scheduled purge", () => {
  it("removes accounts past their lifetime with their connections and conversations, and only those", async () => {
    const shortLived = await signUp(undefined, undefined, 1);
    const longLived = await signUp(undefined, undefined, 48);
    const conversationId = await connect(shortLived, longLived);
    const room = await openSocket(roomPath(conversationId), longLived.cookie);
    room.send({ type: "send", id: "p1", body: "see you" });
    await room.nextOfType("ack");

    await runCron(Date.now() + 2 * 3_600_000);

    // The survivor's socket learns that the conversation is gone.
    expect((await room.waitClosed()).code).toBe(CLOSE_CONVERSATION_ENDED);
    expect((await api("/api/me", { cookie: shortLived.cookie })).status).toBe(401);
    expect((await api("/api/me", { cookie: longLived.cookie })).status).toBe(200);
    const { connections } = await (await api("/api/connections", { cookie: longLived.cookie })).json<{
      connections: Connection[];
    }>();
    expect(connections).toEqual([]);
    expect((await api(`/api/conversations/${conversationId}/messages`, { cookie: longLived.cookie })).status).toBe(404);

    // A second run finds nothing left to do and harms nobody.
    await runCron(Date.now() + 2 * 3_600_000);
    expect((await api("/api/me", { cookie: longLived.cookie })).status).toBe(200);
  });
});

describe("a purge with a failing account", () => {
  it("removes the others, logs the failure, and the next run finishes the job", async () => {
    const [first, failing, last] = [
      await signUp(undefined, undefined, 1),
      await signUp(undefined, undefined, 1),
      await signUp(undefined, undefined, 1),
    ];
    const errors = vi.spyOn(console, "error");
    const later = Date.now() + 2 * 3_600_000;

    const calls = await withUnreachableHubs([failing.user.id], () => runCron(later));

    const failures = errors.mock.calls.filter(([line]) => String(line).includes('"event":"purge_account_failed"'));
    errors.mockRestore();
    expect(calls).toBe(1);
    expect(failures.map(([line]) => JSON.parse(String(line)).userId)).toEqual([failing.user.id]);
    expect((await api("/api/me", { cookie: first.cookie })).status).toBe(401);
    expect((await api("/api/me", { cookie: last.cookie })).status).toBe(401);
    expect((await api("/api/me", { cookie: failing.cookie })).status).toBe(200);
    expect(await purgerFor(env).running()).toBe(false);

    await runCron(later);
    expect((await api("/api/me", { cookie: failing.cookie })).status).toBe(401);
  });
});

describe("a purge batch in which both members of a pair expire", () => {
  it("closes each one's sockets as an ended account, tells the contact who stays, and leaves nothing", async () => {
    const [ann, bob, carol] = [
      await signUp(undefined, undefined, 1),
      await signUp(undefined, undefined, 1),
      await signUp(undefined, undefined, 48),
    ];
    const pairId = await connect(ann, bob);
    const carolsId = await connect(ann, carol);
    const annRoom = await openSocket(roomPath(pairId), ann.cookie);
    const bobRoom = await openSocket(roomPath(pairId), bob.cookie);
    const carolRoom = await openSocket(roomPath(carolsId), carol.cookie);
    const [annHub, bobHub, carolHub] = [
      await openSocket(HUB, ann.cookie),
      await openSocket(HUB, bob.cookie),
      await openSocket(HUB, carol.cookie),
    ];
    for (const socket of [annRoom, bobRoom, carolRoom]) await socket.nextOfType("hello");

    await runCron(Date.now() + 2 * 3_600_000);

    // Their shared room is destroyed once, and neither learns merely that "the conversation" ended.
    expect(await annRoom.waitClosed()).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "expired" });
    expect(await bobRoom.waitClosed()).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "expired" });
    for (const hub of [annHub, bobHub]) {
      expect(await hub.nextOfType("account-ended")).toEqual({ type: "account-ended", reason: "expired" });
      expect(await hub.waitClosed()).toEqual({ code: CLOSE_ACCOUNT_ENDED, reason: "expired" });
    }
    expect((await carolRoom.waitClosed()).code).toBe(CLOSE_CONVERSATION_ENDED);
    expect(await carolHub.nextOfType("connection-removed")).toEqual({
      type: "connection-removed",
      userId: ann.user.id,
      conversationId: carolsId,
      reason: "account-ended",
    });
    for (const gone of [ann, bob]) expect((await api("/api/me", { cookie: gone.cookie })).status).toBe(401);
    const { connections } = await (await api("/api/connections", { cookie: carol.cookie })).json<{
      connections: Connection[];
    }>();
    expect(connections).toEqual([]);
    for (const id of [pairId, carolsId]) {
      expect((await api(`/api/conversations/${id}/messages`, { cookie: carol.cookie })).status).toBe(404);
    }
    carolHub.close();
  });
});

describe("a purge larger than one round", () => {
  it("goes on alarm after alarm past a failing account, tries it once, and stops when no other is left", async () => {
    // Expires first, so the first round lists it; the run then lists it past in the rounds after.
    const failing = await signUp(undefined, undefined, 1);
    const pairs = (PURGE_BATCH * BATCHES_IN_FLIGHT) / 2 + 1;
    const seed = { prefix: "rounds_", from: 0, pairs, lifetimeHours: 1 };
    await seedPairs(seed);
    const logged = vi.spyOn(console, "log");
    const later = Date.now() + 2 * 3_600_000;

    const calls = await withUnreachableHubs([failing.user.id], () => runCron(later));

    const rounds = logged.mock.calls.filter(([line]) => String(line).includes('"event":"purge_round"')).length;
    logged.mockRestore();
    // One round takes PURGE_BATCH * BATCHES_IN_FLIGHT accounts: the last ones need an alarm of their own.
    expect(rounds).toBeGreaterThanOrEqual(2);
    // A failure is remembered for the run: the later rounds do not try the account again.
    expect(calls).toBe(1);
    const store = storeFor(env);
    expect(await store.listExpiredUsers(later, 1_000)).toEqual({ ok: true, value: [failing.user.id] });
    expect(await store.getUserByUsername(`rounds_${2 * pairs - 1}`)).toEqual({ ok: true, value: null });
    expect(await purgerFor(env).running()).toBe(false);

    await runCron(later);
    expect(await store.listExpiredUsers(later, 1_000)).toEqual({ ok: true, value: [] });
  });
});

describe("a purge whose oldest accounts all fail", () => {
  it("goes on past a round in which every account failed, to the accounts expired after them", async () => {
    // A whole round of accounts that cannot be ended, expired before the one that can.
    const pairs = (PURGE_BATCH * BATCHES_IN_FLIGHT) / 2;
    await seedPairs({ prefix: "stuck_", from: 0, pairs, lifetimeHours: 1 });
    const store = storeFor(env);
    const stuck: string[] = [];
    for (let index = 0; index < 2 * pairs; index++) {
      const found = await store.getUserByUsername(`stuck_${index}`);
      if (!found.ok || !found.value) throw new Error("seeded user missing");
      stuck.push(found.value.id);
    }
    const after = await signUp(undefined, undefined, 1);
    const later = Date.now() + 2 * 3_600_000;

    await withUnreachableHubs(stuck, () => runCron(later));

    expect((await api("/api/me", { cookie: after.cookie })).status).toBe(401);
    const left = await store.listExpiredUsers(later, 1_000);
    expect(left.ok && [...left.value].sort()).toEqual([...stuck].sort());
    expect(await purgerFor(env).running()).toBe(false);

    await runCron(later);
    expect(await store.listExpiredUsers(later, 1_000)).toEqual({ ok: true, value: [] });
  });
});

describe("the bench's seeding endpoint", () => {
  const seed = { prefix: "seedtest_", from: 0, pairs: 2, lifetimeHours: 1 };

  it("does not exist in the product's Worker", async () => {
    expect((await api("/api/__bench/seed", { body: seed })).status).toBe(404);
  });

  it("writes paired people the purge then removes like signed-up ones", async () => {
    const { users, conversationIds } = await seedPairs(seed);
    expect(users).toBe(4);
    const store = storeFor(env);
    const first = await store.getUserByUsername("seedtest_0");
    if (!first.ok || !first.value) throw new Error("seeded user missing");
    const listed = await store.listConnections(first.value.id);
    expect(listed.ok && listed.value.map((c) => [c.username, c.status, c.conversationId])).toEqual([
      ["seedtest_1", "accepted", conversationIds[0]],
    ]);

    await runCron(Date.now() + 2 * 3_600_000);
    for (const name of ["seedtest_0", "seedtest_1", "seedtest_2", "seedtest_3"]) {
      expect(await store.getUserByUsername(name)).toEqual({ ok: true, value: null });
    }
  });
});
