import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { storeAt } from "../../server/ports/index";
import { runCron } from "../workers/cron";
import { api, connect, openSocket, roomPath, signUp, uniqueName } from "../workers/helpers";
import { eventually } from "./mongo-control";

const host = () => storeAt(env, "mongo-0");

async function archivedCount(conversationId: string): Promise<number> {
  const page = await host().messagesBefore(conversationId, Number.MAX_SAFE_INTEGER, 500);
  return page.ok ? page.value.length : -1;
}

describe("the purge on MongoDB", () => {
  it("removes expired accounts with their connections, conversations and archived messages, and only those", async () => {
    const shortLived = await signUp(uniqueName("short"), undefined, 1);
    const longLived = await signUp(uniqueName("long"), undefined, 48);
    const other = await signUp(uniqueName("other"), undefined, 48);
    const doomed = await connect(shortLived, longLived);
    const kept = await connect(longLived, other);
    for (const [conversationId, sender] of [
      [doomed, longLived],
      [kept, other],
    ] as const) {
      const room = await openSocket(roomPath(conversationId), sender.cookie);
      room.send({ type: "send", id: crypto.randomUUID(), body: "hello" });
      await room.nextOfType("ack");
      room.close();
      await eventually(async () => (await archivedCount(conversationId)) === 1, 10_000, "the message archived");
    }

    await runCron(Date.now() + 2 * 3_600_000);

    expect(await host().getUser(shortLived.user.id)).toEqual({ ok: true, value: null });
    expect(await archivedCount(doomed)).toBe(0);
    expect(await host().openConversation(longLived.user.id, doomed)).toEqual({ ok: false, reason: "not_found" });
    expect((await api("/api/me", { cookie: longLived.cookie })).status).toBe(200);
    expect(await archivedCount(kept)).toBe(1);
    expect((await host().openConversation(longLived.user.id, kept)).ok).toBe(true);
  });

  it("deleting an account removes its archived messages too", async () => {
    const ann = await signUp(uniqueName("ann"));
    const bob = await signUp(uniqueName("bob"));
    const conversationId = await connect(ann, bob);
    const room = await openSocket(roomPath(conversationId), bob.cookie);
    room.send({ type: "send", id: crypto.randomUUID(), body: "hello" });
    await room.nextOfType("ack");
    await eventually(async () => (await archivedCount(conversationId)) === 1, 10_000, "the message archived");

    const deleted = await api("/api/me", { method: "DELETE", cookie: ann.cookie });
    expect(deleted.status).toBeLessThan(300);
    expect(await archivedCount(conversationId)).toBe(0);
    expect(await host().getUser(ann.user.id)).toEqual({ ok: true, value: null });
  });
});
