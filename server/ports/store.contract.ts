import { beforeAll, describe, expect, it } from "vitest";
import { rankUsers } from "../fuzzy";
import {
  ARCHIVE_BATCH_MAX,
  type ArchivedMessage,
  type Result,
  SEARCH_CANDIDATES_MAX,
  type Store,
  type UserRecord,
} from "./store";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Random lowercase letters, so a name is far from every other test's names. No letter repeats
 * its neighbour (swapping two neighbours always makes a typo), and `avoidFirst` is not the first.
 */
function randomWord(length: number, avoidFirst = ""): string {
  let word = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
    if (word.length === length) break;
    const letter = String.fromCharCode(97 + (byte % 26));
    if (letter === word.at(-1) || (word.length === 0 && letter === avoidFirst)) continue;
    word += letter;
  }
  return word.length === length ? word : randomWord(length, avoidFirst);
}

/** A letter other than `letter`. */
const otherThan = (letter: string | undefined) => (letter === "q" ? "x" : "q");

/** Swaps the letters at `index` and `index + 1`. */
function swapAt(word: string, index: number): string {
  return word.slice(0, index) + word[index + 1] + word[index] + word.slice(index + 2);
}

const sortedIds = (users: { id: string }[]) => users.map((user) => user.id).sort();

/** The value of a result that must have succeeded. */
function value<T>(result: Result<T, string>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.reason}`);
  return result.value;
}

const refOf = (user: UserRecord) => ({ id: user.id, username: user.username });

/**
 * The behaviour every Store adapter must have. Only the Store interface is used, and every test
 * makes its own users with fresh ids and names, so adapters whose state outlives a test pass too.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });

    function userRecord(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
      const now = Date.now();
      return {
        id: crypto.randomUUID(),
        username,
        passwordHash: `hash-${crypto.randomUUID()}`,
        createdAt: now,
        expiresAt: now + DAY_MS,
        ...overrides,
      };
    }

    async function createUser(
      username = `u_${randomWord(12)}`,
      overrides: Partial<UserRecord> = {},
    ): Promise<UserRecord> {
      return value(await store.createUser(userRecord(username, overrides)));
    }

    async function connectedPair(now = Date.now()) {
      const a = await createUser();
      const b = await createUser();
      const conversationId = `conv_${crypto.randomUUID()}`;
      value(await store.addConnection(a.id, b.id, conversationId, now));
      return { a, b, conversationId };
    }

    /** Candidates from the store, ranked above it, as the search route does. */
    async function search(query: string, options: { excludeUserId?: string; limit?: number; now?: number } = {}) {
      const { limit = 20, now = Date.now(), excludeUserId } = options;
      const candidates = value(
        await store.searchCandidates(query, { now, ...(excludeUserId ? { excludeUserId } : {}) }),
      );
      return rankUsers(query, candidates, limit);
    }

    /** "ok", or why `userId` may not open the conversation. */
    async function access(userId: string, conversationId: string) {
      const opened = await store.openConversation(userId, conversationId);
      return opened.ok ? "ok" : opened.reason;
    }

    describe("users", () => {
      it("creates a user and finds it by id", async () => {
        const record = userRecord(`u_${randomWord(12)}`);
        expect(await store.createUser(record)).toEqual({ ok: true, value: record });
        expect(value(await store.getUser(record.id))).toEqual(record);
      });

      it("finds a user by username whatever the case", async () => {
        const word = randomWord(10);
        const user = await createUser(`Mixed_${word}`);
        expect(value(await store.getUserByUsername(`Mixed_${word}`))).toEqual(user);
        expect(value(await store.getUserByUsername(`mixed_${word}`))).toEqual(user);
        expect(value(await store.getUserByUsername(`MIXED_${word.toUpperCase()}`))).toEqual(user);
      });

      it("answers null for an unknown id or username", async () => {
        expect(value(await store.getUser(crypto.randomUUID()))).toBeNull();
        expect(value(await store.getUserByUsername(`nobody_${randomWord(12)}`))).toBeNull();
      });

      it("refuses a second user whose name differs only in case", async () => {
        const word = randomWord(10);
        const first = await createUser(`taken_${word}`);
        const second = userRecord(`TAKEN_${word.toUpperCase()}`);
        expect(await store.createUser(second)).toEqual({ ok: false, reason: "username_taken" });
        expect(value(await store.getUser(second.id))).toBeNull();
        expect(value(await store.getUserByUsername(`taken_${word}`))).toEqual(first);
      });
    });

    describe("searchUsers", () => {
      it("ranks an exact match, then a prefix, then a substring, then a near match", async () => {
        const word = randomWord(8);
        // Created in reverse order, so insertion order cannot pass for ranking.
        const typo = await createUser(`${swapAt(word, 4)}zz`);
        const substring = await createUser(`the${word}`);
        const prefix = await createUser(`${word}son`);
        const exact = await createUser(word);
        const found = await search(word);
        expect(found.map((user) => user.id)).toEqual([exact.id, prefix.id, substring.id, typo.id]);
      });

      it("returns ids and names, never password hashes", async () => {
        const word = randomWord(10);
        const user = await createUser(word);
        expect(await search(word)).toEqual([refOf(user)]);
      });

      it("returns at most the candidate bound, however many names match", async () => {
        const candidates = value(await store.searchCandidates("u_", { now: Date.now() }));
        expect(candidates.length).toBeLessThanOrEqual(SEARCH_CANDIDATES_MAX);
      });

      it("finds a user regardless of the query's case", async () => {
        const word = randomWord(10);
        const user = await createUser(`Case_${word}`);
        expect(sortedIds(await search(`CASE_${word.toUpperCase()}`))).toEqual([user.id]);
      });

      it("finds a user by a misspelled name", async () => {
        // Like "alcie" finding "alice_smith".
        const word = randomWord(5);
        const user = await createUser(`${word}_${randomWord(5)}`);
        expect(sortedIds(await search(swapAt(word, 2)))).toContain(user.id);
        const replaced = word.slice(0, 4) + otherThan(word[4]);
        expect(sortedIds(await search(replaced))).toContain(user.id);
      });

      it("counts swapped neighbouring letters as one typo each", async () => {
        // Two swaps: two edits, within the budget of an 8-letter query; plain Levenshtein would count four.
        const word = randomWord(8);
        const user = await createUser(word);
        expect(sortedIds(await search(swapAt(swapAt(word, 2), 5)))).toContain(user.id);
      });

      it("does not return names too far from the query", async () => {
        const word = randomWord(8);
        await createUser(word);
        // Four letters changed: beyond any typo budget for eight letters.
        const far = word.slice(0, 2) + [...word.slice(2, 6)].map(otherThan).join("") + word.slice(6);
        expect(await search(far)).toEqual([]);
      });

      it("leaves out the user who searches", async () => {
        const word = randomWord(8);
        const me = await createUser(word);
        const other = await createUser(`${word}_two`);
        const found = await search(word, { excludeUserId: me.id });
        expect(found.map((user) => user.id)).toEqual([other.id]);
      });

      it("does not return expired users", async () => {
        const word = randomWord(8);
        const now = Date.now();
        const active = await createUser(`${word}_on`);
        await createUser(`${word}_gone`, { expiresAt: now - 1 });
        await createUser(`${word}_edge`, { expiresAt: now });
        const found = await search(word, { now });
        expect(found.map((user) => user.id)).toEqual([active.id]);
      });

      it("returns at most the limit, best matches first", async () => {
        const word = randomWord(8);
        const exact = await createUser(word);
        const short = await createUser(`${word}a`);
        await createUser(`${word}abc`);
        await createUser(`x${word}`);
        const found = await search(word, { limit: 2 });
        expect(found.map((user) => user.id)).toEqual([exact.id, short.id]);
      });

      it("matches a one- or two-letter query only by prefix", async () => {
        const word = randomWord(10);
        const pair = word.slice(0, 2);
        const starts = await createUser(word);
        const ends = await createUser(`${randomWord(6, word[0])}${pair}`);
        const inside = await createUser(`${randomWord(4, word[0])}${pair}${randomWord(4)}`);
        const typo = await createUser(`${word[0]}${otherThan(word[1])}${randomWord(8)}`);
        for (const query of [pair, pair.toUpperCase(), pair.slice(0, 1)]) {
          const found = await search(query, { limit: 1000 });
          const notByPrefix = found.filter((user) => !user.username.toLowerCase().startsWith(query.toLowerCase()));
          expect(notByPrefix.map((user) => user.username)).toEqual([]);
          const ids = found.map((user) => user.id);
          expect(ids).toContain(starts.id);
          expect(ids).not.toContain(ends.id);
          expect(ids).not.toContain(inside.id);
          if (query.length === 2) expect(ids).not.toContain(typo.id);
        }
      });
    });

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

    describe("the message archive", () => {
      const message = (conversationId: string, seq: number, senderId = "sender"): ArchivedMessage => ({
        conversationId,
        seq,
        id: `client-${seq}-${crypto.randomUUID()}`,
        senderId,
        body: `message ${seq}`,
        sentAt: 1_700_000_000_000 + seq,
      });
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

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
    });

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
    });
  });
}
