import { beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, ids, member, message, randomWord, storeFixtures, userRecord, value } from "./contract-helpers";
import type { ArchivedMessage, Store } from "./index";

/**
 * Ending accounts, for every Store adapter: expiry, detaching and deleting users, one or many, with
 * what they leave in contacts, conversations and groups. Each test makes its own users.
 */
export function describePurgeStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract, purge: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    const { createUser, connectedPair, search, access, createGroup, threeInAGroup, archiveOf } = storeFixtures(
      () => store,
    );

    describe("expiry and removal", () => {
      it("lists only expired users, oldest first, up to the limit", async () => {
        // Expiry times long past, so the users of other tests (expiring around now) are not listed.
        const base = 1_000_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
        const newest = await createUser(undefined, { expiresAt: base + 30 });
        const oldest = await createUser(undefined, { expiresAt: base + 10 });
        const middle = await createUser(undefined, { expiresAt: base + 20 });
        const later = await createUser(undefined, { expiresAt: base + 40 });
        try {
          expect(value(await store.listExpiredUsers(base + 30, 10))).toEqual([oldest.id, middle.id, newest.id]);
          expect(value(await store.listExpiredUsers(base + 29, 10))).toEqual([oldest.id, middle.id]);
          expect(value(await store.listExpiredUsers(base + 30, 2))).toEqual([oldest.id, middle.id]);
          expect(value(await store.listExpiredUsers(base + 9, 10))).toEqual([]);
        } finally {
          for (const user of [newest, oldest, middle, later]) value(await store.deleteUser(user.id));
        }
      });

      it("ends an account now", async () => {
        const word = randomWord(10);
        const user = await createUser(word);
        const now = Date.now();
        value(await store.expireUser(user.id, now));
        expect(value(await store.getUser(user.id))?.expiresAt).toBe(now);
        expect(value(await store.listExpiredUsers(now, 10_000))).toContain(user.id);
        expect(await search(word, { now })).toEqual([]);
        value(await store.deleteUser(user.id));
      });

      it("detaches a user: drops their connections and returns their conversations", async () => {
        const { a, b, conversationId: withB } = await connectedPair();
        const c = await createUser();
        const withC = `conv_${crypto.randomUUID()}`;
        const betweenOthers = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(c.id, a.id, withC, Date.now()));
        value(await store.addConnection(b.id, c.id, betweenOthers, Date.now()));

        const detached = value(await store.detachUser(a.id));
        expect([...detached.conversationIds].sort()).toEqual([withB, withC].sort());
        expect([...detached.formerConnections].sort()).toEqual([b.id, c.id].sort());
        expect(value(await store.listConnections(a.id))).toEqual([]);
        expect(value(await store.listConnections(b.id)).map((x) => x.userId)).toEqual([c.id]);
        expect(value(await store.listConnections(c.id)).map((x) => x.userId)).toEqual([b.id]);
        expect(await access(b.id, withB)).toBe("forbidden");
        expect(await access(b.id, betweenOthers)).toBe("ok");
      });

      it("detaches a user again safely, still finding their conversations", async () => {
        const { a, b, conversationId } = await connectedPair();
        value(await store.detachUser(a.id));
        const again = value(await store.detachUser(a.id));
        expect(again).toEqual({ conversationIds: [conversationId], formerConnections: [], groupIds: [] });
        expect(value(await store.listConnections(b.id))).toEqual([]);
      });

      it("deletes a user and their conversations, leaving others' alone", async () => {
        const { a, b, conversationId: withB } = await connectedPair();
        const c = await createUser();
        const betweenOthers = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(b.id, c.id, betweenOthers, Date.now()));
        value(await store.detachUser(a.id));

        value(await store.deleteUser(a.id));
        expect(value(await store.getUser(a.id))).toBeNull();
        expect(value(await store.getUserByUsername(a.username))).toBeNull();
        expect(await access(b.id, withB)).toBe("not_found");
        expect(value(await store.detachUser(a.id))).toEqual({
          conversationIds: [],
          formerConnections: [],
          groupIds: [],
        });
        expect(value(await store.getUser(b.id))).toEqual(b);

        expect(await access(c.id, betweenOthers)).toBe("ok");
      });

      it("deletes a user's archived messages with their conversations, and nobody else's", async () => {
        const { a, b, conversationId: withB } = await connectedPair();
        const c = await createUser();
        const betweenOthers = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(b.id, c.id, betweenOthers, Date.now()));
        const archived = (conversationId: string, seq: number): ArchivedMessage => ({
          conversationId,
          seq,
          id: crypto.randomUUID(),
          senderId: b.id,
          body: "hi",
          sentAt: Date.now(),
        });
        value(await store.archiveMessages([archived(withB, 1), archived(withB, 2), archived(betweenOthers, 1)]));
        value(await store.deleteUser(a.id));
        expect(value(await store.messagesBefore(withB, 100, 10))).toEqual([]);
        expect(value(await store.messagesBefore(betweenOthers, 100, 10))).toHaveLength(1);
      });

      it("deletes a user who was never detached, connections included", async () => {
        const { a, b, conversationId } = await connectedPair();
        value(await store.deleteUser(a.id));
        expect(value(await store.getUser(a.id))).toBeNull();
        expect(await access(b.id, conversationId)).toBe("not_found");
        expect(value(await store.listConnections(b.id))).toEqual([]);
      });

      it("detaches many users at once, each as detachUser would, safely twice", async () => {
        const { a, b, conversationId: ab } = await connectedPair();
        const { a: c, b: d, conversationId: cd } = await connectedPair();
        const e = await createUser();
        const withE = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(a.id, e.id, withE, Date.now()));

        const detached = value(await store.detachUsers([a.id, c.id]));
        const of = (id: string) => detached.find((entry) => entry.userId === id)!;
        expect(detached.map((entry) => entry.userId)).toEqual([a.id, c.id]);
        expect([...of(a.id).conversationIds].sort()).toEqual([ab, withE].sort());
        expect([...of(a.id).formerConnections].sort()).toEqual([b.id, e.id].sort());
        expect(of(c.id)).toEqual({ userId: c.id, conversationIds: [cd], formerConnections: [d.id], groupIds: [] });
        expect(value(await store.listConnections(e.id))).toEqual([]);
        expect(await access(b.id, ab)).toBe("forbidden");
        expect(await access(d.id, cd)).toBe("forbidden");
        expect(value(await store.detachUsers([a.id, c.id]))).toEqual([
          { userId: a.id, conversationIds: of(a.id).conversationIds, formerConnections: [], groupIds: [] },
          { userId: c.id, conversationIds: [cd], formerConnections: [], groupIds: [] },
        ]);
      });

      it("deletes many users at once with their conversations and archive, and nobody else", async () => {
        const { a, b, conversationId: ab } = await connectedPair();
        const { a: c, b: d, conversationId: cd } = await connectedPair();
        const e = await createUser();
        const de = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(d.id, e.id, de, Date.now()));
        const note = (conversationId: string): ArchivedMessage => ({
          conversationId,
          seq: 1,
          id: crypto.randomUUID(),
          senderId: b.id,
          body: "hi",
          sentAt: Date.now(),
        });
        value(await store.archiveMessages([note(ab), note(cd), note(de)]));

        value(await store.deleteUsers([a.id, c.id]));
        expect(value(await store.getUser(a.id))).toBeNull();
        expect(value(await store.getUser(c.id))).toBeNull();
        expect(await access(b.id, ab)).toBe("not_found");
        expect(await access(d.id, cd)).toBe("not_found");
        expect(value(await store.messagesBefore(ab, 10, 10))).toEqual([]);
        expect(value(await store.messagesBefore(cd, 10, 10))).toEqual([]);
        expect(value(await store.listConnections(b.id))).toEqual([]);
        expect(value(await store.getUser(b.id))).toEqual(b);
        expect(await access(d.id, de)).toBe("ok");
        expect(value(await store.messagesBefore(de, 10, 10))).toHaveLength(1);
        expect(await store.deleteUsers([a.id, c.id])).toEqual({ ok: true, value: null });
      });

      it("deletes a user again safely", async () => {
        const user = await createUser();
        value(await store.deleteUser(user.id));
        expect(await store.deleteUser(user.id)).toEqual({ ok: true, value: null });
        expect(value(await store.getUser(user.id))).toBeNull();
      });

      it("frees a deleted user's name", async () => {
        const user = await createUser();
        value(await store.deleteUser(user.id));
        const reused = userRecord(user.username.toUpperCase());
        expect(await store.createUser(reused)).toEqual({ ok: true, value: reused });
        expect(value(await store.getUserByUsername(user.username))).toEqual(reused);
      });

      it("no longer finds a deleted user by search", async () => {
        const word = randomWord(10);
        const user = await createUser(word);
        value(await store.deleteUser(user.id));
        expect(await search(word)).toEqual([]);
      });

      it("removes a deleted user's blocks and invites", async () => {
        const a = await createUser();
        const b = await createUser();
        value(await store.block(b.id, a.id, 1_000));
        const tokenHash = `hash_${crypto.randomUUID()}`;
        value(await store.createInvite({ tokenHash, inviterId: a.id, expiresAt: Date.now() + DAY_MS }));
        value(await store.deleteUser(a.id));
        expect(value(await store.listBlocked(b.id))).toEqual([]);
        expect(value(await store.findInvite(tokenHash, Date.now()))).toBeNull();
      });
    });

    describe("when an account ends", () => {
      it("a detach returns the user's groups and leaves them open, the user still a member", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const other = await createGroup([bob, ann, cy], group.createdAt + 1);
        const withBob = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(ann.id, bob.id, withBob, Date.now(), { accepted: true }));

        const detached = value(await store.detachUser(ann.id));
        expect(detached).toEqual({
          conversationIds: [withBob],
          formerConnections: [bob.id],
          groupIds: [other.id, group.id],
        });
        expect(await access(bob.id, withBob)).toBe("forbidden");
        expect(await access(bob.id, group.id)).toBe("ok");
        expect(await access(ann.id, group.id)).toBe("ok");
        expect(value(await store.getGroup(group.id))).toEqual(group);
        expect(value(await store.detachUser(ann.id)).groupIds).toEqual([other.id, group.id]);
      });

      it("a batch detach returns each user's groups", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const dee = await createUser();
        const detached = value(await store.detachUsers([ann.id, dee.id, bob.id]));
        expect(detached.map((entry) => [entry.userId, entry.groupIds])).toEqual([
          [ann.id, [group.id]],
          [dee.id, []],
          [bob.id, [group.id]],
        ]);
        expect(await access(cy.id, group.id)).toBe("ok");
      });

      it("deleting users takes them out of their groups with the messages they sent there", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const dee = await createUser();
        const saved = value(
          await store.saveGroup({ ...group, members: [...group.members, member(dee, group.createdAt + 9)] }),
        );
        value(
          await store.archiveMessages([
            message(group.id, 1, ann.id),
            message(group.id, 2, bob.id),
            message(group.id, 3, cy.id),
            message(group.id, 4, ann.id),
            message(group.id, 5, dee.id),
          ]),
        );
        value(await store.detachUsers([ann.id, cy.id]));

        value(await store.deleteUsers([ann.id, cy.id]));
        const after = value(await store.getGroup(group.id));
        expect(ids(after!.members)).toEqual([bob.id, dee.id]);
        expect(after!.version).toBeGreaterThan(saved.version);
        // Its admin gone, the longest-standing member becomes one.
        expect(after!.members.map((m) => m.admin)).toEqual([true, false]);
        expect((await archiveOf(group.id)).map((m) => m.seq)).toEqual([2, 5]);
        expect(await access(bob.id, group.id)).toBe("ok");
        expect(ids(value(await store.listGroups(bob.id)))).toEqual([group.id]);
        expect(value(await store.listGroups(ann.id))).toEqual([]);
        // A save read before the deletion cannot bring them back.
        expect(await store.saveGroup(saved)).toEqual({ ok: false, reason: "conflict" });
        expect(await store.deleteUsers([ann.id, cy.id])).toEqual({ ok: true, value: null });
        expect(value(await store.getGroup(group.id))).toEqual(after);
      });

      it("deleting one user does the same", async () => {
        const { ann, bob, group } = await threeInAGroup();
        value(await store.archiveMessages([message(group.id, 1, bob.id), message(group.id, 2, ann.id)]));
        value(await store.deleteUser(bob.id));
        expect(ids(value(await store.getGroup(group.id))!.members)).not.toContain(bob.id);
        expect((await archiveOf(group.id)).map((m) => m.senderId)).toEqual([ann.id]);
      });

      it("a group left with nobody is removed with its archive", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const kept = await createGroup([bob, cy, await createUser()]);
        value(await store.archiveMessages([message(group.id, 1, ann.id), message(group.id, 2, bob.id)]));
        value(await store.archiveMessages([message(kept.id, 1, bob.id)]));

        value(await store.deleteUser(ann.id));
        value(await store.deleteUsers([bob.id, cy.id]));
        expect(value(await store.getGroup(group.id))).toBeNull();
        expect(await archiveOf(group.id)).toEqual([]);
        expect(value(await store.getGroup(kept.id))!.members).toHaveLength(1);
        expect(await archiveOf(kept.id)).toEqual([]);
      });
    });
  });
}
