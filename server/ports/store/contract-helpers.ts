/**
 * What the Store contract suites (*.contract.ts beside each area's port) share: fresh names, users,
 * pairs, groups and archived messages, made through the Store interface alone.
 */
import { rankUsers } from "../../fuzzy";
import type { ArchivedMessage, GroupMemberRecord, GroupRecord, Result, Store, UserRecord } from "./index";

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Random lowercase letters, so a name is far from every other test's names. No letter repeats
 * its neighbour (swapping two neighbours always makes a typo), and `avoidFirst` is not the first.
 */
export function randomWord(length: number, avoidFirst = ""): string {
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
export const otherThan = (letter: string | undefined) => (letter === "q" ? "x" : "q");

/** Swaps the letters at `index` and `index + 1`. */
export function swapAt(word: string, index: number): string {
  return word.slice(0, index) + word[index + 1] + word[index] + word.slice(index + 2);
}

export const ids = (items: { id: string }[]) => items.map((item) => item.id);

export const sortedIds = (users: { id: string }[]) => ids(users).sort();

/** The value of a result that must have succeeded. */
export function value<T>(result: Result<T, string>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.reason}`);
  return result.value;
}

export const refOf = (user: UserRecord) => ({ id: user.id, username: user.username });

export function userRecord(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
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

export const member = (user: UserRecord, joinedAt: number, admin = false): GroupMemberRecord => ({
  id: user.id,
  username: user.username,
  admin,
  muted: false,
  joinedAt,
});

export const message = (conversationId: string, seq: number, senderId = "sender"): ArchivedMessage => ({
  conversationId,
  seq,
  id: `client-${seq}-${crypto.randomUUID()}`,
  senderId,
  body: `message ${seq}`,
  sentAt: 1_700_000_000_000 + seq,
});

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Fixtures on the suite's store. `current` answers it once the suite's beforeAll has made it, so a
 * suite destructures these at describe time and calls them inside its tests.
 */
export function storeFixtures(current: () => Store) {
  async function createUser(
    username = `u_${randomWord(12)}`,
    overrides: Partial<UserRecord> = {},
  ): Promise<UserRecord> {
    return value(await current().createUser(userRecord(username, overrides)));
  }

  async function connectedPair(now = Date.now()) {
    const a = await createUser();
    const b = await createUser();
    const conversationId = `conv_${crypto.randomUUID()}`;
    value(await current().addConnection(a.id, b.id, conversationId, now));
    return { a, b, conversationId };
  }

  /** Candidates from the store, ranked above it, as the search route does. */
  async function search(query: string, options: { excludeUserId?: string; limit?: number; now?: number } = {}) {
    const { limit = 20, now = Date.now(), excludeUserId } = options;
    const candidates = value(
      await current().searchCandidates(query, { now, ...(excludeUserId ? { excludeUserId } : {}) }),
    );
    return rankUsers(query, candidates, limit);
  }

  /** "ok", or why `userId` may not open the conversation. */
  async function access(userId: string, conversationId: string) {
    const opened = await current().openConversation(userId, conversationId);
    return opened.ok ? "ok" : opened.reason;
  }

  /** A group made by the first user (its admin) with the others, each joining a moment later. */
  async function createGroup(users: UserRecord[], createdAt = Date.now()): Promise<GroupRecord> {
    return value(
      await current().createGroup({
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

  /** Every archived message of a conversation, oldest first. */
  const archiveOf = async (conversationId: string) =>
    value(await current().messagesBefore(conversationId, Number.MAX_SAFE_INTEGER, 500));

  return { createUser, connectedPair, search, access, createGroup, threeInAGroup, archiveOf };
}
