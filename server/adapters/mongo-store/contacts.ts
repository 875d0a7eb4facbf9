import {
  type AddConnectionResult,
  BLOCKS_MAX,
  CONNECTIONS_MAX,
  type ConnectionRecord,
  type ContactStore,
  type InviteRecord,
  type Result,
  type UserRef,
} from "../../ports/store";
import { type Collections, type ConnectionDoc, type InviteDoc, pairId } from "./documents";
import { guard, ok } from "./guard";
import { blockedEitherWay, usernames } from "./lookups";

/** Connections, their requests, blocks and invites. */
export class MongoContacts implements ContactStore {
  constructor(private readonly collections: Collections) {}

  addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
    options: { accepted?: boolean } = {},
  ): Promise<Result<AddConnectionResult, "unknown_user" | "blocked">> {
    return guard(async () => {
      const { users, connections, conversations } = this.collections;
      const other = await users.findOne({ _id: otherId }, { projection: { username: 1 } });
      if (!other) return { ok: false, reason: "unknown_user" } as const;
      if ((await blockedEitherWay(this.collections, userId)).has(otherId)) {
        return { ok: false, reason: "blocked" } as const;
      }
      const [userLow, userHigh] = [userId, otherId].sort() as [string, string];
      const status = options.accepted ? "accepted" : "pending";
      // The document as it was before: null when this call created the connection.
      const before = await connections.findOneAndUpdate(
        { _id: pairId(userId, otherId) },
        { $setOnInsert: { userLow, userHigh, conversationId, createdAt: now, status, requestedBy: userId } },
        { upsert: true, returnDocument: "before" },
      );
      const pendingFrom = before ? undefined : status === "pending" ? userId : null;
      // Always, not only on creation: a call interrupted after the connection is finished by a retry.
      await conversations.updateOne(
        { _id: conversationId },
        {
          $setOnInsert: { members: [userLow, userHigh], createdAt: now },
          $set: { closed: false, ...(pendingFrom === undefined ? {} : { pendingFrom }) },
        },
        { upsert: true },
      );
      const answered = before?.status === "pending" && (before.requestedBy === otherId || options.accepted);
      if (answered) await accept(this.collections, before._id, before.conversationId);
      const current = answered ? { ...before, status: "accepted" as const } : before;
      const connection = toConnection(
        otherId,
        other.username,
        current ?? {
          _id: pairId(userId, otherId),
          userLow,
          userHigh,
          conversationId,
          createdAt: now,
          status,
          requestedBy: userId,
        },
      );
      return ok({ created: before === null, connection });
    });
  }

  acceptConnection(userId: string, otherId: string): Promise<Result<ConnectionRecord, "not_found">> {
    return guard(async () => {
      const [doc, other] = await Promise.all([
        this.collections.connections.findOne({ _id: pairId(userId, otherId) }),
        this.collections.users.findOne({ _id: otherId }, { projection: { username: 1 } }),
      ]);
      if (!doc || !other || (doc.requestedBy ?? "") !== otherId) return { ok: false, reason: "not_found" } as const;
      if (doc.status === "pending") await accept(this.collections, doc._id, doc.conversationId);
      return ok(toConnection(otherId, other.username, { ...doc, status: "accepted" }));
    });
  }

  removeConnection(userId: string, otherId: string): Promise<Result<boolean>> {
    return guard(async () => {
      const { connections, conversations } = this.collections;
      const _id = pairId(userId, otherId);
      const connection = await connections.findOne({ _id }, { projection: { conversationId: 1 } });
      if (!connection) return ok(false);
      // Closed first: an interruption leaves the connection, so a retry finishes the job.
      await conversations.updateOne({ _id: connection.conversationId }, { $set: { closed: true } });
      const { deletedCount } = await connections.deleteOne({ _id });
      return ok(deletedCount > 0);
    });
  }

  listConnections(userId: string): Promise<Result<ConnectionRecord[]>> {
    return guard(async () => {
      const docs = await this.collections.connections
        .find({ $or: [{ userLow: userId }, { userHigh: userId }] })
        .sort({ createdAt: -1 })
        .limit(CONNECTIONS_MAX)
        .toArray();
      const otherOf = (doc: ConnectionDoc) => (doc.userLow === userId ? doc.userHigh : doc.userLow);
      const names = await usernames(this.collections, docs.map(otherOf));
      return ok(
        docs.flatMap((doc) => {
          const username = names.get(otherOf(doc));
          // A user removed by an unfinished purge is no longer anyone's connection.
          return username === undefined ? [] : [toConnection(otherOf(doc), username, doc)];
        }),
      );
    });
  }

  block(userId: string, otherId: string, now: number): Promise<Result<{ closedConversationId: string | null }>> {
    return guard(async () => {
      await this.collections.blocks.updateOne(
        { _id: `${userId}:${otherId}` },
        { $setOnInsert: { blocker: userId, blocked: otherId, createdAt: now } },
        { upsert: true },
      );
      const connection = await this.collections.connections.findOne(
        { _id: pairId(userId, otherId) },
        { projection: { conversationId: 1 } },
      );
      const removed = await this.removeConnection(userId, otherId);
      if (!removed.ok) return removed;
      return ok({ closedConversationId: removed.value ? (connection?.conversationId ?? null) : null });
    });
  }

  unblock(userId: string, otherId: string): Promise<Result<null>> {
    return guard(async () => {
      await this.collections.blocks.deleteOne({ _id: `${userId}:${otherId}` });
      return ok(null);
    });
  }

  listBlocked(userId: string): Promise<Result<UserRef[]>> {
    return guard(async () => {
      const { blocks } = this.collections;
      const docs = await blocks.find({ blocker: userId }).sort({ createdAt: -1 }).limit(BLOCKS_MAX).toArray();
      const blockedIds = docs.map((doc) => doc.blocked);
      const names = await usernames(this.collections, blockedIds);
      return ok(
        docs.flatMap((doc) => {
          const username = names.get(doc.blocked);
          return username === undefined ? [] : [{ id: doc.blocked, username }];
        }),
      );
    });
  }

  createInvite(invite: InviteRecord): Promise<Result<null>> {
    return guard(async () => {
      await this.collections.invites.replaceOne(
        { _id: invite.tokenHash },
        { inviterId: invite.inviterId, expiresAt: invite.expiresAt },
        { upsert: true },
      );
      return ok(null);
    });
  }

  findInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    return guard(async () => {
      const doc = await this.collections.invites.findOne({ _id: tokenHash, expiresAt: { $gt: now } });
      return ok(doc ? toInvite(doc) : null);
    });
  }

  takeInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    return guard(async () => {
      const { invites } = this.collections;
      const doc = await invites.findOne({ _id: tokenHash });
      if (!doc) return ok(null);
      // The delete decides: of two concurrent callers, only the one whose delete removed it takes it
      // (findOneAndDelete gave both the document on FerretDB).
      const { deletedCount } = await invites.deleteOne({ _id: tokenHash });
      return ok(deletedCount === 1 && doc.expiresAt > now ? toInvite(doc) : null);
    });
  }
}

/** Accepted: the connection first, then the conversation, each idempotent, so a retry finishes. */
async function accept(collections: Collections, connectionId: string, conversationId: string): Promise<void> {
  await collections.connections.updateOne({ _id: connectionId }, { $set: { status: "accepted" } });
  await collections.conversations.updateOne({ _id: conversationId }, { $set: { pendingFrom: null } });
}

function toConnection(otherId: string, username: string, doc: ConnectionDoc): ConnectionRecord {
  return {
    userId: otherId,
    username,
    conversationId: doc.conversationId,
    createdAt: doc.createdAt,
    status: doc.status ?? "accepted",
    requestedBy: doc.requestedBy ?? "",
  };
}

function toInvite(doc: InviteDoc): InviteRecord {
  return { tokenHash: doc._id, inviterId: doc.inviterId, expiresAt: doc.expiresAt };
}
