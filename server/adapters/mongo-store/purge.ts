import { byJoined, withAnAdmin } from "../../group-rules";
import {
  CONNECTIONS_MAX,
  CONVERSATIONS_MAX,
  type DetachedUser,
  type DetachedUserOf,
  GROUPS_MAX,
  type PurgeStore,
  type Result,
  USER_BATCH_MAX,
} from "../../ports/store";
import { type Collections, type ConversationDoc, GROUP, type GroupDoc, isGroup, ONE_TO_ONE } from "./documents";
import { guard, ok } from "./guard";
import { groupsOf } from "./lookups";
import { deleteMessagesOf, deleteMessagesWhere, removeGroup } from "./removals";

/** Optimistic saves retried at most this often when the purge races an admin. */
const LEAVE_ATTEMPTS = 10;

/** Expired accounts: found, detached from everyone, then deleted with what only they held. */
export class MongoPurge implements PurgeStore {
  constructor(private readonly collections: Collections) {}

  listExpiredUsers(now: number, limit: number): Promise<Result<string[]>> {
    return guard(async () => {
      const docs = await this.collections.users
        .find({ expiresAt: { $lte: now } }, { projection: { _id: 1 } })
        .sort({ expiresAt: 1 })
        .limit(limit)
        .toArray();
      return ok(docs.map((doc) => doc._id));
    });
  }

  expireUser(userId: string, now: number): Promise<Result<null>> {
    return guard(async () => {
      await this.collections.users.updateOne({ _id: userId, expiresAt: { $gt: now } }, { $set: { expiresAt: now } });
      return ok(null);
    });
  }

  detachUser(userId: string): Promise<Result<DetachedUser>> {
    return guard(async () => {
      const { connections, conversations } = this.collections;
      // Conversations closed before connections go, as in removeConnection.
      await conversations.updateMany(
        { members: userId, closed: { $ne: true }, ...ONE_TO_ONE },
        { $set: { closed: true } },
      );
      const detached = await connections
        .find({ $or: [{ userLow: userId }, { userHigh: userId }] }, { projection: { userLow: 1, userHigh: 1 } })
        .limit(CONNECTIONS_MAX)
        .toArray();
      if (detached.length > 0) await connections.deleteMany({ _id: { $in: detached.map((doc) => doc._id) } });
      const formerConnections = detached.map((doc) => (doc.userLow === userId ? doc.userHigh : doc.userLow));
      const groupIds = (await groupsOf(this.collections, [userId], GROUPS_MAX)).map((group) => group._id);
      return ok({ conversationIds: await conversationIdsOf(this.collections, userId), formerConnections, groupIds });
    });
  }

  deleteUser(userId: string): Promise<Result<null>> {
    return guard(async () => {
      const { users, connections, conversations, blocks, invites } = this.collections;
      await leaveGroups(this.collections, [userId]);
      for (
        let ids = await conversationIdsOf(this.collections, userId);
        ids.length > 0;
        ids = await conversationIdsOf(this.collections, userId)
      ) {
        // Messages before their conversation: while the conversation is there, a retry still finds them.
        for (const id of ids) await deleteMessagesOf(this.collections, id);
        await conversations.deleteMany({ _id: { $in: ids } });
      }
      await connections.deleteMany({ $or: [{ userLow: userId }, { userHigh: userId }] });
      await blocks.deleteMany({ $or: [{ blocker: userId }, { blocked: userId }] });
      await invites.deleteMany({ inviterId: userId });
      await users.deleteOne({ _id: userId });
      return ok(null);
    });
  }

  detachUsers(userIds: string[]): Promise<Result<DetachedUserOf[]>> {
    return guard(async () => {
      const { connections, conversations } = this.collections;
      const ids = userIds.slice(0, USER_BATCH_MAX);
      if (ids.length === 0) return ok([]);
      const byUser = new Map(
        ids.map((id) => [
          id,
          { userId: id, conversationIds: [] as string[], formerConnections: [] as string[], groupIds: [] as string[] },
        ]),
      );
      await conversations.updateMany(
        { members: { $in: ids }, closed: { $ne: true }, ...ONE_TO_ONE },
        { $set: { closed: true } },
      );
      for (;;) {
        const detached = await connections
          .find(
            { $or: [{ userLow: { $in: ids } }, { userHigh: { $in: ids } }] },
            { projection: { userLow: 1, userHigh: 1 } },
          )
          .limit(CONNECTIONS_MAX)
          .toArray();
        if (detached.length === 0) break;
        for (const { userLow, userHigh } of detached) {
          byUser.get(userLow)?.formerConnections.push(userHigh);
          byUser.get(userHigh)?.formerConnections.push(userLow);
        }
        await connections.deleteMany({ _id: { $in: detached.map((doc) => doc._id) } });
        if (detached.length < CONNECTIONS_MAX) break;
      }
      const theirs = await conversations
        .find({ members: { $in: ids }, ...ONE_TO_ONE }, { projection: { members: 1 } })
        .limit(CONVERSATIONS_MAX)
        .toArray();
      for (const conversation of theirs) {
        for (const member of conversation.members) byUser.get(member)?.conversationIds.push(conversation._id);
      }
      for (const group of await groupsOf(this.collections, ids, GROUPS_MAX * ids.length)) {
        for (const member of group.members) {
          const groupIds = byUser.get(member)?.groupIds;
          if (groupIds && groupIds.length < GROUPS_MAX) groupIds.push(group._id);
        }
      }
      return ok([...byUser.values()]);
    });
  }

  deleteUsers(userIds: string[]): Promise<Result<null>> {
    return guard(async () => {
      const { users, connections, conversations } = this.collections;
      const ids = userIds.slice(0, USER_BATCH_MAX);
      if (ids.length === 0) return ok(null);
      await leaveGroups(this.collections, ids);
      for (;;) {
        const theirs = await conversations
          .find({ members: { $in: ids }, ...ONE_TO_ONE }, { projection: { _id: 1 } })
          .limit(CONVERSATIONS_MAX)
          .toArray();
        if (theirs.length === 0) break;
        const conversationIds = theirs.map((doc) => doc._id);
        // Messages before their conversations, as in deleteUser.
        await deleteMessagesWhere(this.collections, { conversationId: { $in: conversationIds } });
        await conversations.deleteMany({ _id: { $in: conversationIds } });
      }
      await connections.deleteMany({ $or: [{ userLow: { $in: ids } }, { userHigh: { $in: ids } }] });
      await users.deleteMany({ _id: { $in: ids } });
      return ok(null);
    });
  }
}

/** Their one-to-one conversations (a group is not theirs to close or remove). */
async function conversationIdsOf({ conversations }: Collections, userId: string): Promise<string[]> {
  const docs = await conversations
    .find({ members: userId, ...ONE_TO_ONE }, { projection: { _id: 1 } })
    .limit(CONVERSATIONS_MAX)
    .toArray();
  return docs.map((doc) => doc._id);
}

/** Takes `userIds` out of every group they are in (their accounts end), a bounded batch at a time. */
async function leaveGroups(collections: Collections, userIds: string[]): Promise<void> {
  const leaving = new Set(userIds);
  for (;;) {
    const groups = await groupsOf(collections, userIds, GROUPS_MAX);
    for (const group of groups) await leaveGroup(collections, group, leaving);
    if (groups.length < GROUPS_MAX) return;
  }
}

/**
 * The leaving members' messages go first (while they are members, a retry finds them), then the
 * members, in one optimistic write: the version goes up, so an admin's save read before this
 * cannot bring them back. The last one out removes the group; a group never stays without an
 * admin: the longest-standing member becomes one.
 */
async function leaveGroup(collections: Collections, first: GroupDoc, leaving: Set<string>): Promise<void> {
  const { conversations } = collections;
  let group: GroupDoc | null = first;
  for (let attempt = 1; group; attempt++) {
    const gone = group.members.filter((id) => leaving.has(id));
    if (gone.length === 0) return;
    const roster = withAnAdmin(group.roster.filter((member) => !leaving.has(member.id)).sort(byJoined));
    if (roster.length === 0) return removeGroup(collections, group._id);
    await deleteMessagesWhere(collections, { conversationId: group._id, senderId: { $in: gone } });
    const { matchedCount } = await conversations.updateOne(
      { _id: group._id, version: group.version, ...GROUP },
      { $set: { roster, members: roster.map((member) => member.id), version: group.version + 1 } },
    );
    if (matchedCount === 1) return;
    if (attempt >= LEAVE_ATTEMPTS) throw new Error(`group ${group._id} kept changing while members left`);
    const fresh: ConversationDoc | null = await conversations.findOne({ _id: group._id, ...GROUP });
    group = fresh && isGroup(fresh) ? fresh : null;
  }
}
