import { beforeAll, describe, expect, it } from "vitest";
import { ids, member, message, storeFixtures, value } from "./contract-helpers";
import type { GroupRecord, Store } from "./index";

/**
 * Group records, for every Store adapter: created, listed, saved at a version and deleted with
 * their archive. Each test makes its own users and groups with fresh ids.
 */
export function describeGroupStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract, groups: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    const { createUser, access, createGroup, threeInAGroup, archiveOf } = storeFixtures(() => store);

    describe("records", () => {
      it("creates a group at version 1 and gets it back with its members in the order they joined", async () => {
        const [ann, bob, cy] = [await createUser(), await createUser(), await createUser()];
        const createdAt = Date.now();
        const input = {
          id: `grp_${crypto.randomUUID()}`,
          name: "Weekend plans",
          createdBy: ann!.id,
          createdAt,
          // Given out of order: the store answers them by joinedAt.
          members: [member(cy!, createdAt + 2), member(ann!, createdAt, true), member(bob!, createdAt + 1)],
        };
        const expected: GroupRecord = {
          ...input,
          members: [member(ann!, createdAt, true), member(bob!, createdAt + 1), member(cy!, createdAt + 2)],
          version: 1,
        };
        expect(value(await store.createGroup(input))).toEqual(expected);
        expect(value(await store.getGroup(input.id))).toEqual(expected);
      });

      it("answers null for an unknown group and for a one-to-one conversation's id", async () => {
        const [a, b] = [await createUser(), await createUser()];
        const conversationId = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(a!.id, b!.id, conversationId, Date.now(), { accepted: true }));
        expect(value(await store.getGroup(`grp_${crypto.randomUUID()}`))).toBeNull();
        expect(value(await store.getGroup(conversationId))).toBeNull();
      });

      it("lists a user's groups newest first, and only theirs", async () => {
        const [ann, bob, cy, dee] = [await createUser(), await createUser(), await createUser(), await createUser()];
        const now = Date.now();
        const older = await createGroup([ann!, bob!, cy!], now - 1_000);
        const newer = await createGroup([bob!, ann!, dee!], now);
        const without = await createGroup([bob!, cy!, dee!], now + 1_000);
        expect(ids(value(await store.listGroups(ann!.id)))).toEqual([newer.id, older.id]);
        expect(value(await store.listGroups(ann!.id))[0]).toEqual(newer);
        expect(ids(value(await store.listGroups(bob!.id)))).toEqual([without.id, newer.id, older.id]);
        expect(value(await store.listGroups((await createUser()).id))).toEqual([]);
      });

      it("is not a connection: listing, removing and blocking connections leave it alone", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        expect(value(await store.listConnections(ann.id))).toEqual([]);
        expect(value(await store.removeConnection(ann.id, bob.id))).toBe(false);
        expect(value(await store.block(ann.id, bob.id, Date.now()))).toEqual({ closedConversationId: null });
        expect(await access(ann.id, group.id)).toBe("ok");
        expect(await access(bob.id, group.id)).toBe("ok");
        expect(await access(cy.id, group.id)).toBe("ok");
      });
    });

    describe("saveGroup", () => {
      it("saves a rename and a change of members, one version up", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const dee = await createUser();
        const changed: GroupRecord = {
          ...group,
          name: "Renamed",
          members: [
            { ...group.members[0]!, muted: true },
            { ...group.members[1]!, admin: true },
            member(dee, group.createdAt + 10),
          ],
        };
        const saved = value(await store.saveGroup(changed));
        expect(saved).toEqual({ ...changed, version: 2 });
        expect(value(await store.getGroup(group.id))).toEqual(saved);
        expect(ids(value(await store.listGroups(dee.id)))).toEqual([group.id]);
        expect(value(await store.listGroups(cy.id))).toEqual([]);
        expect(await access(cy.id, group.id)).toBe("forbidden");
        expect(ids(saved.members)).toEqual([ann.id, bob.id, dee.id]);
      });

      it("answers conflict to a save from a stale version and keeps the newer one", async () => {
        const { group } = await threeInAGroup();
        const first = value(await store.saveGroup({ ...group, name: "First" }));
        expect(await store.saveGroup({ ...group, name: "Second" })).toEqual({ ok: false, reason: "conflict" });
        expect(value(await store.getGroup(group.id))).toEqual(first);
        expect(value(await store.saveGroup({ ...first, name: "Second" })).version).toBe(3);
      });

      it("answers not_found once the group is gone, and does not bring it back", async () => {
        const { group } = await threeInAGroup();
        value(await store.deleteGroup(group.id));
        expect(await store.saveGroup(group)).toEqual({ ok: false, reason: "not_found" });
        expect(value(await store.getGroup(group.id))).toBeNull();
      });
    });

    describe("deleteGroup", () => {
      it("removes the record and its archive, leaves other archives alone, and is safe to repeat", async () => {
        const { ann, bob, group } = await threeInAGroup();
        const other = await createGroup([bob, ann, await createUser()]);
        value(await store.archiveMessages([message(group.id, 1, ann.id), message(group.id, 2, bob.id)]));
        value(await store.archiveMessages([message(other.id, 1, ann.id)]));
        value(await store.deleteGroup(group.id));
        expect(value(await store.getGroup(group.id))).toBeNull();
        expect(value(await store.listGroups(ann.id))).toEqual([other]);
        expect(await archiveOf(group.id)).toEqual([]);
        expect(await archiveOf(other.id)).toHaveLength(1);
        expect(await store.deleteGroup(group.id)).toEqual({ ok: true, value: null });
      });

      it("leaves a one-to-one conversation alone when given its id", async () => {
        const [a, b] = [await createUser(), await createUser()];
        const conversationId = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(a!.id, b!.id, conversationId, Date.now(), { accepted: true }));
        value(await store.archiveMessages([message(conversationId, 1, a!.id)]));
        value(await store.deleteGroup(conversationId));
        expect(await access(b!.id, conversationId)).toBe("ok");
        expect(await archiveOf(conversationId)).toHaveLength(1);
      });
    });
  });
}
