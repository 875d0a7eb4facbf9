// Reads that more than one area makes.
import { BLOCKS_MAX } from "../../ports/store";
import { type Collections, GROUP, type GroupDoc, isGroup } from "./documents";

export async function usernames({ users }: Collections, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const docs = await users
    .find({ _id: { $in: ids } }, { projection: { username: 1 } })
    .limit(ids.length)
    .toArray();
  return new Map(docs.map((doc) => [doc._id, doc.username]));
}

/** Everyone `userId` blocked or was blocked by. */
export async function blockedEitherWay({ blocks }: Collections, userId: string): Promise<Set<string>> {
  if (!userId) return new Set();
  const docs = await blocks
    .find({ $or: [{ blocker: userId }, { blocked: userId }] }, { projection: { blocker: 1, blocked: 1 } })
    .limit(2 * BLOCKS_MAX)
    .toArray();
  return new Set(docs.map((doc) => (doc.blocker === userId ? doc.blocked : doc.blocker)));
}

/** The groups any of `userIds` is in, newest first. */
export async function groupsOf({ conversations }: Collections, userIds: string[], limit: number): Promise<GroupDoc[]> {
  const docs = await conversations
    .find({ members: { $in: userIds }, ...GROUP })
    .sort({ createdAt: -1, _id: 1 })
    .limit(limit)
    .toArray();
  return docs.filter(isGroup);
}
