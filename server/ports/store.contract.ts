import { beforeAll, describe, expect, it } from "vitest";
import type { Store, UserRecord } from "./store";

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
      const result = await store.createUser(userRecord(username, overrides));
      if (!result.ok) throw new Error(`could not create ${username}: ${result.reason}`);
      return result.user;
    }

    async function connectedPair(now = Date.now()) {
      const a = await createUser();
      const b = await createUser();
      const conversationId = `conv_${crypto.randomUUID()}`;
      await store.addConnection(a.id, b.id, conversationId, now);
      return { a, b, conversationId };
    }

    const search = (query: string, options: { excludeUserId?: string; limit?: number } = {}) =>
      store.searchUsers(query, { limit: 20, now: Date.now(), ...options });

    describe("users", () => {
      it("creates a user and finds it by id", async () => {
        const record = userRecord(`u_${randomWord(12)}`);
        const created = await store.createUser(record);
        expect(created).toEqual({ ok: true, user: record });
        expect(await store.getUser(record.id)).toEqual(record);
      });

      it("finds a user by username whatever the case", async () => {
        const word = randomWord(10);
        const user = await createUser(`Mixed_${word}`);
        expect(await store.getUserByUsername(`Mixed_${word}`)).toEqual(user);
        expect(await store.getUserByUsername(`mixed_${word}`)).toEqual(user);
        expect(await store.getUserByUsername(`MIXED_${word.toUpperCase()}`)).toEqual(user);
      });

      it("answers null for an unknown id or username", async () => {
        expect(await store.getUser(crypto.randomUUID())).toBeNull();
        expect(await store.getUserByUsername(`nobody_${randomWord(12)}`)).toBeNull();
      });

      it("refuses a second user whose name differs only in case", async () => {
        const word = randomWord(10);
        const first = await createUser(`taken_${word}`);
        const second = userRecord(`TAKEN_${word.toUpperCase()}`);
        expect(await store.createUser(second)).toEqual({ ok: false, reason: "username_taken" });
        expect(await store.getUser(second.id)).toBeNull();
        expect(await store.getUserByUsername(`taken_${word}`)).toEqual(first);
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

      it("returns whole user records", async () => {
        const word = randomWord(10);
        const user = await createUser(word);
        expect(await search(word)).toEqual([user]);
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
        const found = await store.searchUsers(word, { limit: 20, now });
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
          const found = await store.searchUsers(query, { limit: 1000, now: Date.now() });
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
        const first = await store.addConnection(a.id, b.id, conversationId, 1_000);
        expect(first).toEqual({
          created: true,
          connection: { userId: b.id, username: b.username, conversationId, createdAt: 1_000 },
        });
        const again = await store.addConnection(a.id, b.id, conversationId, 2_000);
        expect(again).toEqual({
          created: false,
          connection: { userId: b.id, username: b.username, conversationId, createdAt: 1_000 },
        });
        const fromOtherSide = await store.addConnection(b.id, a.id, conversationId, 3_000);
        expect(fromOtherSide).toEqual({
          created: false,
          connection: { userId: a.id, username: a.username, conversationId, createdAt: 1_000 },
        });
        expect(await store.listConnections(a.id)).toHaveLength(1);
      });

      it("shows the connection to both sides with the other person's name", async () => {
        const { a, b, conversationId } = await connectedPair(5_000);
        expect(await store.listConnections(a.id)).toEqual([
          { userId: b.id, username: b.username, conversationId, createdAt: 5_000 },
        ]);
        expect(await store.listConnections(b.id)).toEqual([
          { userId: a.id, username: a.username, conversationId, createdAt: 5_000 },
        ]);
      });

      it("lists every connection of a user", async () => {
        const a = await createUser();
        const b = await createUser();
        const c = await createUser();
        await store.addConnection(a.id, b.id, `conv_${crypto.randomUUID()}`, 1_000);
        await store.addConnection(c.id, a.id, `conv_${crypto.randomUUID()}`, 2_000);
        expect((await store.listConnections(a.id)).map((x) => x.userId).sort()).toEqual([b.id, c.id].sort());
        expect((await store.listConnections(b.id)).map((x) => x.userId)).toEqual([a.id]);
        expect((await store.listConnections(c.id)).map((x) => x.userId)).toEqual([a.id]);
      });

      it("removes a connection from either side once", async () => {
        const { a, b } = await connectedPair();
        expect(await store.removeConnection(b.id, a.id)).toBe(true);
        expect(await store.removeConnection(a.id, b.id)).toBe(false);
        expect(await store.listConnections(a.id)).toEqual([]);
        expect(await store.listConnections(b.id)).toEqual([]);
      });

      it("connects two users again after a removal", async () => {
        const { a, b, conversationId } = await connectedPair(1_000);
        await store.removeConnection(a.id, b.id);
        const again = await store.addConnection(a.id, b.id, conversationId, 9_000);
        expect(again).toMatchObject({ created: true, connection: { userId: b.id, createdAt: 9_000 } });
        expect(await store.canAccessConversation(b.id, conversationId)).toBe(true);
      });
    });

    describe("conversations", () => {
      it("opens a conversation whose members are both users", async () => {
        const { a, b, conversationId } = await connectedPair(7_000);
        const conversation = await store.getConversation(conversationId);
        expect(conversation).not.toBeNull();
        expect(conversation!.id).toBe(conversationId);
        expect(conversation!.createdAt).toBe(7_000);
        expect([...conversation!.members].sort()).toEqual([a.id, b.id].sort());
      });

      it("answers null for an unknown conversation", async () => {
        expect(await store.getConversation(`conv_${crypto.randomUUID()}`)).toBeNull();
      });

      it("keeps the conversation after the connection is removed", async () => {
        const { a, b, conversationId } = await connectedPair();
        await store.removeConnection(a.id, b.id);
        const conversation = await store.getConversation(conversationId);
        expect([...(conversation?.members ?? [])].sort()).toEqual([a.id, b.id].sort());
      });

      it("lets a connected member in", async () => {
        const { a, b, conversationId } = await connectedPair();
        expect(await store.canAccessConversation(a.id, conversationId)).toBe(true);
        expect(await store.canAccessConversation(b.id, conversationId)).toBe(true);
      });

      it("keeps out someone who is not a member", async () => {
        const { a, conversationId } = await connectedPair();
        const stranger = await createUser();
        await store.addConnection(stranger.id, a.id, `conv_${crypto.randomUUID()}`, Date.now());
        expect(await store.canAccessConversation(stranger.id, conversationId)).toBe(false);
      });

      it("keeps out both members once they are no longer connected", async () => {
        const { a, b, conversationId } = await connectedPair();
        await store.removeConnection(a.id, b.id);
        expect(await store.canAccessConversation(a.id, conversationId)).toBe(false);
        expect(await store.canAccessConversation(b.id, conversationId)).toBe(false);
      });

      it("keeps everyone out of an unknown conversation", async () => {
        const a = await createUser();
        expect(await store.canAccessConversation(a.id, `conv_${crypto.randomUUID()}`)).toBe(false);
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
          expect(await store.listExpiredUsers(base + 30, 10)).toEqual([oldest.id, middle.id, newest.id]);
          expect(await store.listExpiredUsers(base + 29, 10)).toEqual([oldest.id, middle.id]);
          expect(await store.listExpiredUsers(base + 30, 2)).toEqual([oldest.id, middle.id]);
          expect(await store.listExpiredUsers(base + 9, 10)).toEqual([]);
        } finally {
          for (const user of [newest, oldest, middle, later]) await store.deleteUser(user.id);
        }
      });

      it("ends an account now", async () => {
        const word = randomWord(10);
        const user = await createUser(word);
        const now = Date.now();
        await store.expireUser(user.id, now);
        expect((await store.getUser(user.id))?.expiresAt).toBe(now);
        expect(await store.listExpiredUsers(now, 10_000)).toContain(user.id);
        expect(await store.searchUsers(word, { limit: 20, now })).toEqual([]);
        await store.deleteUser(user.id);
      });

      it("detaches a user: drops their connections and returns their conversations", async () => {
        const { a, b, conversationId: withB } = await connectedPair();
        const c = await createUser();
        const withC = `conv_${crypto.randomUUID()}`;
        const betweenOthers = `conv_${crypto.randomUUID()}`;
        await store.addConnection(c.id, a.id, withC, Date.now());
        await store.addConnection(b.id, c.id, betweenOthers, Date.now());

        const detached = await store.detachUser(a.id);
        expect([...detached.conversationIds].sort()).toEqual([withB, withC].sort());
        expect([...detached.formerConnections].sort()).toEqual([b.id, c.id].sort());
        expect(await store.listConnections(a.id)).toEqual([]);
        expect((await store.listConnections(b.id)).map((x) => x.userId)).toEqual([c.id]);
        expect((await store.listConnections(c.id)).map((x) => x.userId)).toEqual([b.id]);
        expect(await store.canAccessConversation(b.id, withB)).toBe(false);
        expect(await store.canAccessConversation(b.id, betweenOthers)).toBe(true);
      });

      it("detaches a user again safely, still finding their conversations", async () => {
        const { a, b, conversationId } = await connectedPair();
        await store.detachUser(a.id);
        const again = await store.detachUser(a.id);
        expect(again).toEqual({ conversationIds: [conversationId], formerConnections: [] });
        expect(await store.listConnections(b.id)).toEqual([]);
      });

      it("deletes a user and their conversations, leaving others' alone", async () => {
        const { a, b, conversationId: withB } = await connectedPair();
        const c = await createUser();
        const betweenOthers = `conv_${crypto.randomUUID()}`;
        await store.addConnection(b.id, c.id, betweenOthers, Date.now());
        await store.detachUser(a.id);

        await store.deleteUser(a.id);
        expect(await store.getUser(a.id)).toBeNull();
        expect(await store.getUserByUsername(a.username)).toBeNull();
        expect(await store.getConversation(withB)).toBeNull();
        expect(await store.detachUser(a.id)).toEqual({ conversationIds: [], formerConnections: [] });
        expect(await store.getUser(b.id)).toEqual(b);
        expect(await store.getConversation(betweenOthers)).not.toBeNull();
        expect(await store.canAccessConversation(c.id, betweenOthers)).toBe(true);
      });

      it("deletes a user who was never detached, connections included", async () => {
        const { a, b, conversationId } = await connectedPair();
        await store.deleteUser(a.id);
        expect(await store.getUser(a.id)).toBeNull();
        expect(await store.getConversation(conversationId)).toBeNull();
        expect(await store.listConnections(b.id)).toEqual([]);
      });

      it("deletes a user again safely", async () => {
        const user = await createUser();
        await store.deleteUser(user.id);
        await expect(store.deleteUser(user.id)).resolves.toBeUndefined();
        expect(await store.getUser(user.id)).toBeNull();
      });

      it("frees a deleted user's name", async () => {
        const user = await createUser();
        await store.deleteUser(user.id);
        const reused = userRecord(user.username.toUpperCase());
        expect(await store.createUser(reused)).toEqual({ ok: true, user: reused });
        expect(await store.getUserByUsername(user.username)).toEqual(reused);
      });

      it("no longer finds a deleted user by search", async () => {
        const word = randomWord(10);
        const user = await createUser(word);
        await store.deleteUser(user.id);
        expect(await search(word)).toEqual([]);
      });
    });
  });
}
