import { MongoServerError } from "mongodb";
import { trigrams } from "../../fuzzy";
import {
  type AccountStore,
  type Result,
  SEARCH_CANDIDATES_MAX,
  type SearchOptions,
  type UserRecord,
  type UserRef,
} from "../../ports/store";
import type { Collections, UserDoc } from "./documents";
import { DUPLICATE_KEY, guard, ok } from "./guard";
import { blockedEitherWay } from "./lookups";

/** Users sharing a trigram with the query that a search scores at most. */
const TRIGRAM_SCAN_MAX = 1_000;

export class MongoAccounts implements AccountStore {
  constructor(private readonly collections: Collections) {}

  createUser(user: UserRecord): Promise<Result<UserRecord, "username_taken">> {
    return guard(async () => {
      const usernameKey = user.username.toLowerCase();
      try {
        await this.collections.users.insertOne({
          _id: user.id,
          username: user.username,
          usernameKey,
          passwordHash: user.passwordHash,
          createdAt: user.createdAt,
          expiresAt: user.expiresAt,
          trigrams: trigrams(usernameKey),
        });
      } catch (error) {
        if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
          return { ok: false, reason: "username_taken" } as const;
        }
        throw error;
      }
      return ok(user);
    });
  }

  getUser(id: string): Promise<Result<UserRecord | null>> {
    return guard(async () =>
      ok(toUser(await this.collections.users.findOne({ _id: id }, { projection: { trigrams: 0 } }))),
    );
  }

  getUserByUsername(username: string): Promise<Result<UserRecord | null>> {
    return guard(async () => {
      const doc = await this.collections.users.findOne(
        { usernameKey: username.toLowerCase() },
        { projection: { trigrams: 0 } },
      );
      return ok(toUser(doc));
    });
  }

  searchCandidates(query: string, options: SearchOptions): Promise<Result<UserRef[]>> {
    return guard(async () => {
      const { users } = this.collections;
      const key = query.toLowerCase();
      const grams = trigrams(key);
      const live = { expiresAt: { $gt: options.now }, _id: { $ne: options.excludeUserId ?? "" } };
      const [byPrefix, byTrigram] = await Promise.all([
        users
          .find({ ...live, usernameKey: { $gte: key, $lt: `${key}\uffff` } }, { projection: { username: 1 } })
          .sort({ usernameKey: 1 })
          .limit(SEARCH_CANDIDATES_MAX)
          .toArray(),
        users
          .find({ ...live, trigrams: { $in: grams } }, { projection: { username: 1, trigrams: 1 } })
          .limit(TRIGRAM_SCAN_MAX)
          .toArray(),
      ]);
      // The users sharing the most trigrams with the query are the likeliest near matches.
      const wanted = new Set(grams);
      const shared = (doc: Pick<UserDoc, "trigrams">) => doc.trigrams.filter((gram) => wanted.has(gram)).length;
      byTrigram.sort((a, b) => shared(b) - shared(a));
      const hidden = await blockedEitherWay(this.collections, options.excludeUserId ?? "");
      const candidates = new Map<string, UserRef>();
      for (const doc of [...byPrefix, ...byTrigram]) {
        if (!hidden.has(doc._id)) candidates.set(doc._id, { id: doc._id, username: doc.username });
      }
      return ok([...candidates.values()].slice(0, SEARCH_CANDIDATES_MAX));
    });
  }
}

function toUser(doc: Omit<UserDoc, "trigrams"> | null): UserRecord | null {
  if (!doc) return null;
  return {
    id: doc._id,
    username: doc.username,
    passwordHash: doc.passwordHash,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
}
