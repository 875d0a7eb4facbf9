import { beforeAll, describe, expect, it } from "vitest";
import { message, range, refOf, storeFixtures, value } from "./contract-helpers";
import { ARCHIVE_BATCH_MAX, type ArchivedMessage, type Store } from "./index";

/**
 * Opening a conversation (one-to-one or a group) and its message archive, for every Store adapter.
 * Each test makes its own users, groups and conversation ids.
 */
export function describeConversationStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract, conversations: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    const { createUser, connectedPair, access, threeInAGroup, archiveOf } = storeFixtures(() => store);

    describe("openConversation", () => {
      it("answers the members with their names and the creation time, in one call", async () => {
        const { a, b, conversationId } = await connectedPair(7_000);
        const opened = value(await store.openConversation(a.id, conversationId));
        expect(opened.id).toBe(conversationId);
        expect(opened.createdAt).toBe(7_000);
        expect([...opened.members].sort((x, y) => x.id.localeCompare(y.id))).toEqual(
          [refOf(a), refOf(b)].sort((x, y) => x.id.localeCompare(y.id)),
        );
        expect(opened.pendingFrom).toBe(a.id);
        expect(value(await store.openConversation(b.id, conversationId))).toEqual(opened);
      });

      it("answers not_found for an unknown conversation", async () => {
        const a = await createUser();
        expect(await access(a.id, `conv_${crypto.randomUUID()}`)).toBe("not_found");
      });

      it("answers forbidden to someone who is not a member", async () => {
        const { a, conversationId } = await connectedPair();
        const stranger = await createUser();
        await store.addConnection(stranger.id, a.id, `conv_${crypto.randomUUID()}`, Date.now());
        expect(await access(stranger.id, conversationId)).toBe("forbidden");
      });

      it("closes the conversation to both members when their connection is removed, and keeps it", async () => {
        const { a, b, conversationId } = await connectedPair();
        await store.removeConnection(a.id, b.id);
        expect(await access(a.id, conversationId)).toBe("forbidden");
        expect(await access(b.id, conversationId)).toBe("forbidden");
        // Still there for the purge to find.
        expect(value(await store.detachUser(a.id)).conversationIds).toEqual([conversationId]);
      });

      it("opens it again when the two connect again", async () => {
        const { a, b, conversationId } = await connectedPair(1_000);
        await store.removeConnection(a.id, b.id);
        await store.addConnection(b.id, a.id, conversationId, 2_000);
        expect(await access(a.id, conversationId)).toBe("ok");
        expect(value(await store.openConversation(a.id, conversationId)).createdAt).toBe(1_000);
      });
    });

    describe("openConversation of a group", () => {
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

    describe("the message archive", () => {
      it("archives a batch and serves pages before a seq, oldest first", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const batch = range(1, 10).map((seq) => message(conversationId, seq));
        expect(value(await store.archiveMessages(batch))).toEqual({ inserted: 10 });
        expect(value(await store.messagesBefore(conversationId, 11, 3))).toEqual(batch.slice(7, 10));
        expect(value(await store.messagesBefore(conversationId, 8, 3))).toEqual(batch.slice(4, 7));
        expect(value(await store.messagesBefore(conversationId, 3, 50))).toEqual(batch.slice(0, 2));
        expect(value(await store.messagesBefore(conversationId, 1, 50))).toEqual([]);
      });

      it("stores each message once when a batch is written again, even overlapping", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const first = range(1, 5).map((seq) => message(conversationId, seq));
        await store.archiveMessages(first);
        // A retry after a lost answer: the same messages again, plus new ones.
        const retry = [...first.slice(2), ...range(6, 8).map((seq) => message(conversationId, seq))];
        expect(value(await store.archiveMessages(retry))).toEqual({ inserted: 3 });
        expect(value(await store.archiveMessages(retry))).toEqual({ inserted: 0 });
        const all = value(await store.messagesBefore(conversationId, 1_000, 100));
        expect(all.map((m) => m.seq)).toEqual(range(1, 8));
        expect(all.slice(0, 5)).toEqual(first);
      });

      it("empties a message archived before when it comes again deleted, safely twice, and keeps a live copy from undoing it", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const batch = range(1, 3).map((seq) => message(conversationId, seq));
        await store.archiveMessages(batch);
        const deleted: ArchivedMessage = { ...batch[1]!, body: "", deleted: true };
        expect(value(await store.archiveMessages([deleted]))).toEqual({ inserted: 0 });
        expect(value(await store.archiveMessages([deleted]))).toEqual({ inserted: 0 });
        // A late retry of the batch that first wrote it must not bring the body back.
        expect(value(await store.archiveMessages(batch))).toEqual({ inserted: 0 });
        expect(value(await store.messagesBefore(conversationId, 100, 10))).toEqual([batch[0], deleted, batch[2]]);
      });

      it("archives a message deleted before its first write as deleted, with no body", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const deleted: ArchivedMessage = { ...message(conversationId, 1), body: "", deleted: true };
        expect(value(await store.archiveMessages([deleted, message(conversationId, 2)]))).toEqual({ inserted: 2 });
        const archived = value(await store.messagesBefore(conversationId, 100, 10));
        expect(archived[0]).toEqual(deleted);
        expect(archived[1]).not.toHaveProperty("deleted");
      });

      it("keeps conversations apart: the same seq in two conversations is two messages", async () => {
        const one = `conv_${crypto.randomUUID()}`;
        const two = `conv_${crypto.randomUUID()}`;
        expect(value(await store.archiveMessages([message(one, 1), message(two, 1)]))).toEqual({ inserted: 2 });
        expect(value(await store.messagesBefore(one, 2, 10))).toHaveLength(1);
        expect(value(await store.messagesBefore(two, 2, 10))).toHaveLength(1);
      });

      it("deletes one conversation's messages, safely twice", async () => {
        const gone = `conv_${crypto.randomUUID()}`;
        const kept = `conv_${crypto.randomUUID()}`;
        await store.archiveMessages([message(gone, 1), message(gone, 2), message(kept, 1)]);
        expect(await store.deleteConversationMessages(gone)).toEqual({ ok: true, value: null });
        expect(await store.deleteConversationMessages(gone)).toEqual({ ok: true, value: null });
        expect(value(await store.messagesBefore(gone, 100, 10))).toEqual([]);
        expect(value(await store.messagesBefore(kept, 100, 10))).toHaveLength(1);
      });

      it("answers a page of at most the archive bound", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        await store.archiveMessages(range(1, 3).map((seq) => message(conversationId, seq)));
        expect(value(await store.messagesBefore(conversationId, 100, 10 * ARCHIVE_BATCH_MAX))).toHaveLength(3);
      });

      it("archives and pages replies, edits and reactions as written", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const [original, reply, replyToDeleted, reacted] = range(1, 4).map((seq) => message(conversationId, seq));
        const batch = [
          { ...original!, editedAt: 1_700_000_100_000 },
          { ...reply!, replyTo: { seq: 1, senderId: "sender", excerpt: "message 1" } },
          { ...replyToDeleted!, replyTo: { seq: 1, senderId: "sender", excerpt: "", deleted: true as const } },
          {
            ...reacted!,
            reactions: [
              { emoji: "👍", userIds: ["ann", "bob"] },
              { emoji: "🎉", userIds: ["cy"] },
            ],
          },
        ];
        expect(value(await store.archiveMessages(batch))).toEqual({ inserted: 4 });
        expect(await archiveOf(conversationId)).toEqual(batch);
      });

      it("keeps no reactions rather than an empty list", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const [archived, revised] = [message(conversationId, 1), message(conversationId, 2)];
        value(await store.archiveMessages([{ ...archived!, reactions: [] }]));
        value(await store.reviseArchivedMessages([{ ...revised!, reactions: [] }]));
        expect(await archiveOf(conversationId)).toEqual([archived, revised]);
        for (const copy of await archiveOf(conversationId)) expect(copy).not.toHaveProperty("reactions");
      });
    });

    describe("revising the archive", () => {
      const reactions = [{ emoji: "👍", userIds: ["ann", "bob"] }];

      it("replaces an archived copy whole: an edit's body and time, and no reactions when it has none", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const [first, second] = [message(conversationId, 1), message(conversationId, 2)];
        value(await store.archiveMessages([{ ...first!, reactions }, second!]));
        const edited: ArchivedMessage = { ...first!, body: "message 1, fixed", editedAt: 1_700_000_100_000 };
        expect(value(await store.reviseArchivedMessages([edited]))).toEqual({ revised: 1 });
        expect(await archiveOf(conversationId)).toEqual([edited, second]);
      });

      it("replaces a reply's quote and adds reactions", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const reply: ArchivedMessage = {
          ...message(conversationId, 2),
          replyTo: { seq: 1, senderId: "sender", excerpt: "message 1" },
        };
        value(await store.archiveMessages([reply]));
        const revised: ArchivedMessage = {
          ...reply,
          replyTo: { seq: 1, senderId: "sender", excerpt: "message 1, fixed" },
          reactions,
        };
        value(await store.reviseArchivedMessages([revised]));
        expect(await archiveOf(conversationId)).toEqual([revised]);
      });

      it("writes a deletion: no body, no edit, no reactions", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const archived: ArchivedMessage = { ...message(conversationId, 1), editedAt: 1_700_000_100_000, reactions };
        value(await store.archiveMessages([archived]));
        const { editedAt: _, reactions: __, ...plain } = archived;
        // A deleted copy keeps no body even when one is sent.
        value(await store.reviseArchivedMessages([{ ...plain, deleted: true }]));
        expect(await archiveOf(conversationId)).toEqual([{ ...plain, body: "", deleted: true }]);
      });

      it("inserts a revision the archive does not hold, and a late write of the original leaves it", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const [held, missing] = [message(conversationId, 1), message(conversationId, 2)];
        value(await store.archiveMessages([held!]));
        const revisions: ArchivedMessage[] = [
          { ...held!, reactions },
          { ...missing!, body: "message 2, fixed", editedAt: 1_700_000_100_000 },
        ];
        expect(value(await store.reviseArchivedMessages(revisions))).toEqual({ revised: 2 });
        expect(value(await store.archiveMessages([held!, missing!]))).toEqual({ inserted: 0 });
        expect(await archiveOf(conversationId)).toEqual(revisions);
      });

      it("is safe to repeat, counting the same copies each time", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const revisions = range(1, 3).map((seq) => ({ ...message(conversationId, seq), reactions }));
        expect(value(await store.reviseArchivedMessages(revisions))).toEqual({ revised: 3 });
        expect(value(await store.reviseArchivedMessages(revisions))).toEqual({ revised: 3 });
        expect(await archiveOf(conversationId)).toEqual(revisions);
      });

      it("keeps the later of two copies of one message in a batch", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const first = message(conversationId, 1);
        const later: ArchivedMessage = { ...first, body: "message 1, fixed", editedAt: 1_700_000_100_000 };
        expect(value(await store.reviseArchivedMessages([{ ...first, reactions }, later]))).toEqual({ revised: 2 });
        expect(await archiveOf(conversationId)).toEqual([later]);
      });

      it("answers nothing revised for an empty batch", async () => {
        expect(value(await store.reviseArchivedMessages([]))).toEqual({ revised: 0 });
      });

      it("writes at most the archive bound per call, the first of the batch", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        const revisions = range(1, ARCHIVE_BATCH_MAX + 1).map((seq) => message(conversationId, seq));
        expect(value(await store.reviseArchivedMessages(revisions))).toEqual({ revised: ARCHIVE_BATCH_MAX });
        const archived = await archiveOf(conversationId);
        expect(archived).toHaveLength(ARCHIVE_BATCH_MAX);
        expect(archived.at(-1)).toEqual(revisions[ARCHIVE_BATCH_MAX - 1]);
      });

      it("removes revised copies with their conversation, their group and their sender leaving it", async () => {
        const conversationId = `conv_${crypto.randomUUID()}`;
        value(await store.reviseArchivedMessages([{ ...message(conversationId, 1), reactions }]));
        value(await store.deleteConversationMessages(conversationId));
        expect(await archiveOf(conversationId)).toEqual([]);

        const { ann, bob, group } = await threeInAGroup();
        const [fromAnn, fromBob] = [message(group.id, 1, ann.id), message(group.id, 2, bob.id)];
        value(
          await store.reviseArchivedMessages([
            { ...fromAnn!, reactions },
            { ...fromBob!, reactions },
          ]),
        );
        value(await store.deleteUser(bob.id));
        expect((await archiveOf(group.id)).map((copy) => copy.senderId)).toEqual([ann.id]);
        value(await store.deleteGroup(group.id));
        expect(await archiveOf(group.id)).toEqual([]);
      });
    });
  });
}
