import { beforeAll, describe, expect, it } from "vitest";
import type { ArchivedMessage, GroupMemberRecord, GroupRecord, Result, Store, UserRecord } from "./store";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The value of a result that must have succeeded. */
function value<T>(result: Result<T, string>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.reason}`);
  return result.value;
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

/**
 * Group conversations, for every Store adapter: only the Store interface is used, and each test
 * makes its own users and groups with fresh ids, so a store shared with other tests passes too.
 */
export function describeGroupStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract, groups: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });

    async function createUser(): Promise<UserRecord> {
      const now = Date.now();
      const id = crypto.randomUUID();
      return value(
        await store.createUser({
          id,
          username: `g_${id.replaceAll("-", "").slice(0, 20)}`,
          passwordHash: "hash",
          createdAt: now,
          expiresAt: now + DAY_MS,
        }),
      );
    }

    const member = (user: UserRecord, joinedAt: number, admin = false): GroupMemberRecord => ({
      id: user.id,
      username: user.username,
      admin,
      muted: false,
      joinedAt,
    });

    /** A group made by the first user (its admin) with the others, each joining a moment later. */
    async function createGroup(users: UserRecord[], createdAt = Date.now()): Promise<GroupRecord> {
      return value(
        await store.createGroup({
          id: `grp_${crypto.randomUUID()}`,
          name: "Weekend plans",
          createdBy: users[0]!.id,
          createdAt,
          members: users.map((user, index) => member(user, createdAt + index, index === 0)),
        }),
      );
    }

    async function threeInAGroup() {
      const [ann, bob, cy] = [await createUser(), await createUser(), await createUser()] as const;
      return { ann, bob, cy, group: await createGroup([ann, bob, cy]) };
    }

    /** "ok", or why `userId` may not open the conversation. */
    async function access(userId: string, conversationId: string) {
      const opened = await store.openConversation(userId, conversationId);
      return opened.ok ? "ok" : opened.reason;
    }

    const message = (conversationId: string, seq: number, senderId: string): ArchivedMessage => ({
      conversationId,
      seq,
      id: crypto.randomUUID(),
      senderId,
      body: `message ${seq}`,
      sentAt: Date.now(),
    });

    const archived = async (conversationId: string) =>
      value(await store.messagesBefore(conversationId, Number.MAX_SAFE_INTEGER, 500));

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

    describe("openConversation", () => {
      it("answers a member with everyone's names, no request and the group's name and admins", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const opened = value(await store.openConversation(bob.id, group.id));
        expect(opened).toEqual({
          id: group.id,
          members: [ann, bob, cy]
            .map((user) => ({ id: user.id, username: user.username }))
            .sort((x, y) => (x.id < y.id ? -1 : 1)),
          createdAt: group.createdAt,
          pendingFrom: null,
          group: { name: "Weekend plans", admins: [ann.id] },
        });
      });

      it("answers forbidden to someone who is not a member, and not_found once it is deleted", async () => {
        const { ann, group } = await threeInAGroup();
        const outsider = await createUser();
        expect(await access(outsider.id, group.id)).toBe("forbidden");
        value(await store.deleteGroup(group.id));
        expect(await access(ann.id, group.id)).toBe("not_found");
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
        expect(await archived(group.id)).toEqual([]);
        expect(await archived(other.id)).toHaveLength(1);
        expect(await store.deleteGroup(group.id)).toEqual({ ok: true, value: null });
      });

      it("leaves a one-to-one conversation alone when given its id", async () => {
        const [a, b] = [await createUser(), await createUser()];
        const conversationId = `conv_${crypto.randomUUID()}`;
        value(await store.addConnection(a!.id, b!.id, conversationId, Date.now(), { accepted: true }));
        value(await store.archiveMessages([message(conversationId, 1, a!.id)]));
        value(await store.deleteGroup(conversationId));
        expect(await access(b!.id, conversationId)).toBe("ok");
        expect(await archived(conversationId)).toHaveLength(1);
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
        expect((await archived(group.id)).map((m) => m.seq)).toEqual([2, 5]);
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
        expect((await archived(group.id)).map((m) => m.senderId)).toEqual([ann.id]);
      });

      it("a group left with nobody is removed with its archive", async () => {
        const { ann, bob, cy, group } = await threeInAGroup();
        const kept = await createGroup([bob, cy, await createUser()]);
        value(await store.archiveMessages([message(group.id, 1, ann.id), message(group.id, 2, bob.id)]));
        value(await store.archiveMessages([message(kept.id, 1, bob.id)]));

        value(await store.deleteUser(ann.id));
        value(await store.deleteUsers([bob.id, cy.id]));
        expect(value(await store.getGroup(group.id))).toBeNull();
        expect(await archived(group.id)).toEqual([]);
        expect(value(await store.getGroup(kept.id))!.members).toHaveLength(1);
        expect(await archived(kept.id)).toEqual([]);
      });
    });
  });
}
