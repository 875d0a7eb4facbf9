import { beforeAll, describe, expect, it } from "vitest";
import { refOf, storeFixtures, value } from "./contract-helpers";
import type { Store } from "./index";

/**
 * Connections, consent, blocks and invites, for every Store adapter. Each test makes its own users
 * with fresh ids and names.
 */
export function describeContactStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract, contacts: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    const { createUser, connectedPair, search, access } = storeFixtures(() => store);

    describe("connections", () => {
      it("connects two users once and keeps the first creation time", async () => {
        const a = await createUser();
        const b = await createUser();
        const conversationId = `conv_${crypto.randomUUID()}`;
        const first = value(await store.addConnection(a.id, b.id, conversationId, 1_000));
        const asked = { conversationId, createdAt: 1_000, status: "pending", requestedBy: a.id } as const;
        expect(first).toEqual({ created: true, connection: { userId: b.id, username: b.username, ...asked } });
        const again = value(await store.addConnection(a.id, b.id, conversationId, 2_000));
        expect(again).toEqual({ created: false, connection: { userId: b.id, username: b.username, ...asked } });
        // Asking back answers the request.
        const fromOtherSide = value(await store.addConnection(b.id, a.id, conversationId, 3_000));
        expect(fromOtherSide).toEqual({
          created: false,
          connection: { userId: a.id, username: a.username, ...asked, status: "accepted" },
        });
        expect(value(await store.listConnections(a.id))).toHaveLength(1);
      });

      it("answers unknown_user for someone who does not exist, and connects nobody", async () => {
        const a = await createUser();
        const ghost = crypto.randomUUID();
        expect(await store.addConnection(a.id, ghost, `conv_${crypto.randomUUID()}`, 1_000)).toEqual({
          ok: false,
          reason: "unknown_user",
        });
        expect(value(await store.listConnections(a.id))).toEqual([]);
      });

      it("shows the connection to both sides with the other person's name", async () => {
        const { a, b, conversationId } = await connectedPair(5_000);
        const shared = { conversationId, createdAt: 5_000, status: "pending", requestedBy: a.id };
        expect(value(await store.listConnections(a.id))).toEqual([{ userId: b.id, username: b.username, ...shared }]);
        expect(value(await store.listConnections(b.id))).toEqual([{ userId: a.id, username: a.username, ...shared }]);
      });

      it("lists every connection of a user", async () => {
        const a = await createUser();
        const b = await createUser();
        const c = await createUser();
        value(await store.addConnection(a.id, b.id, `conv_${crypto.randomUUID()}`, 1_000));
        value(await store.addConnection(c.id, a.id, `conv_${crypto.randomUUID()}`, 2_000));
        expect(
          value(await store.listConnections(a.id))
            .map((x) => x.userId)
            .sort(),
        ).toEqual([b.id, c.id].sort());
        expect(value(await store.listConnections(b.id)).map((x) => x.userId)).toEqual([a.id]);
        expect(value(await store.listConnections(c.id)).map((x) => x.userId)).toEqual([a.id]);
      });

      it("removes a connection from either side once", async () => {
        const { a, b } = await connectedPair();
        expect(value(await store.removeConnection(b.id, a.id))).toBe(true);
        expect(value(await store.removeConnection(a.id, b.id))).toBe(false);
        expect(value(await store.listConnections(a.id))).toEqual([]);
        expect(value(await store.listConnections(b.id))).toEqual([]);
      });

      it("connects two users again after a removal", async () => {
        const { a, b, conversationId } = await connectedPair(1_000);
        value(await store.removeConnection(a.id, b.id));
        const again = value(await store.addConnection(a.id, b.id, conversationId, 9_000));
        expect(again).toMatchObject({ created: true, connection: { userId: b.id, createdAt: 9_000 } });
        expect(await access(b.id, conversationId)).toBe("ok");
      });
    });

    describe("consent", () => {
      it("accepts a request only from the side that was asked, once, for both", async () => {
        const { a, b, conversationId } = await connectedPair();
        expect(await store.acceptConnection(a.id, b.id)).toEqual({ ok: false, reason: "not_found" });
        expect(value(await store.acceptConnection(b.id, a.id))).toMatchObject({ userId: a.id, status: "accepted" });
        expect(value(await store.acceptConnection(b.id, a.id))).toMatchObject({ status: "accepted" });
        expect(value(await store.listConnections(a.id))[0]).toMatchObject({ status: "accepted", requestedBy: a.id });
        expect(value(await store.openConversation(a.id, conversationId)).pendingFrom).toBeNull();
      });

      it("answers not_found when there is nothing to accept", async () => {
        const a = await createUser();
        const b = await createUser();
        expect(await store.acceptConnection(a.id, b.id)).toEqual({ ok: false, reason: "not_found" });
      });

      it("makes an accepted connection at once for an invite", async () => {
        const a = await createUser();
        const b = await createUser();
        const conversationId = `conv_${crypto.randomUUID()}`;
        const added = value(await store.addConnection(b.id, a.id, conversationId, 1_000, { accepted: true }));
        expect(added.connection).toMatchObject({ status: "accepted" });
        expect(value(await store.openConversation(a.id, conversationId)).pendingFrom).toBeNull();
      });

      it("blocks: removes the connection, closes the conversation, refuses requests and hides both from search", async () => {
        const { a, b, conversationId } = await connectedPair();
        expect(value(await store.block(b.id, a.id, 1_000))).toEqual({ closedConversationId: conversationId });
        expect(value(await store.listConnections(a.id))).toEqual([]);
        expect(await access(a.id, conversationId)).toBe("forbidden");
        expect(await store.addConnection(a.id, b.id, conversationId, 2_000)).toEqual({ ok: false, reason: "blocked" });
        expect(await store.addConnection(b.id, a.id, conversationId, 2_000)).toEqual({ ok: false, reason: "blocked" });
        expect((await search(b.username, { excludeUserId: a.id })).map((user) => user.id)).not.toContain(b.id);
        expect((await search(a.username, { excludeUserId: b.id })).map((user) => user.id)).not.toContain(a.id);
        expect(value(await store.listBlocked(b.id))).toEqual([refOf(a)]);
        expect(value(await store.listBlocked(a.id))).toEqual([]);
      });

      it("unblocks: they may find and ask each other again", async () => {
        const a = await createUser();
        const b = await createUser();
        expect(value(await store.block(a.id, b.id, 1_000))).toEqual({ closedConversationId: null });
        value(await store.unblock(a.id, b.id));
        expect(value(await store.listBlocked(a.id))).toEqual([]);
        expect((await search(b.username, { excludeUserId: a.id })).map((user) => user.id)).toContain(b.id);
        expect(value(await store.addConnection(a.id, b.id, `conv_${crypto.randomUUID()}`, 2_000)).created).toBe(true);
      });

      it("gives an invite to exactly one taker, and never after it expired", async () => {
        const a = await createUser();
        const tokenHash = `hash_${crypto.randomUUID()}`;
        value(await store.createInvite({ tokenHash, inviterId: a.id, expiresAt: 10_000 }));
        expect(value(await store.findInvite(tokenHash, 5_000))).toEqual({
          tokenHash,
          inviterId: a.id,
          expiresAt: 10_000,
        });
        expect(value(await store.findInvite(tokenHash, 10_000))).toBeNull();
        const takers = await Promise.all([store.takeInvite(tokenHash, 5_000), store.takeInvite(tokenHash, 5_000)]);
        expect(takers.map(value).filter((invite) => invite !== null)).toHaveLength(1);
        expect(value(await store.findInvite(tokenHash, 5_000))).toBeNull();

        const late = `hash_${crypto.randomUUID()}`;
        value(await store.createInvite({ tokenHash: late, inviterId: a.id, expiresAt: 10_000 }));
        expect(value(await store.takeInvite(late, 10_001))).toBeNull();
      });
    });
  });
}
