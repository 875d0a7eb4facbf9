import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Connection } from "../../protocol/api";
import { CLOSE_CONVERSATION_ENDED } from "../../protocol/wire";
import { storeFor } from "../../server/ports";
import { purgeExpiredAccounts } from "../../worker/account";
import worker from "../../worker/index";
import { api, connect, openSocket, roomPath, signUp } from "./helpers";

async function runCron(at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "*/10 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
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
    const store = storeFor(env);
    // One account's hub cannot be reached: every call to it fails, as an unreachable object's would.
    const failingHub = env.HUBS.idFromName(failing.user.id);
    const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error("object unreachable")) });
    const flakyEnv = {
      ...env,
      HUBS: {
        idFromName: (name: string) => env.HUBS.idFromName(name),
        get: (id: DurableObjectId) => (id.equals(failingHub) ? unreachable : env.HUBS.get(id)),
      },
    } as unknown as Env;
    const later = Date.now() + 2 * 3_600_000;

    expect(await purgeExpiredAccounts(flakyEnv, store, later)).toBeGreaterThanOrEqual(2);
    expect((await api("/api/me", { cookie: first.cookie })).status).toBe(401);
    expect((await api("/api/me", { cookie: last.cookie })).status).toBe(401);
    expect((await api("/api/me", { cookie: failing.cookie })).status).toBe(200);

    expect(await purgeExpiredAccounts(env, store, later)).toBe(1);
    expect((await api("/api/me", { cookie: failing.cookie })).status).toBe(401);
  });
});
