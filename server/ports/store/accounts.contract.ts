import { beforeAll, describe, expect, it } from "vitest";
import { otherThan, randomWord, refOf, sortedIds, storeFixtures, swapAt, userRecord, value } from "./contract-helpers";
import { SEARCH_CANDIDATES_MAX, type Store } from "./index";

/**
 * Accounts, for every Store adapter: users by id and name, and the search candidates ranked as the
 * search route ranks them. Each test makes its own users with fresh ids and names.
 */
export function describeAccountStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`Store contract, accounts: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    const { createUser, search } = storeFixtures(() => store);

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
  });
}
