import {
  type Collection,
  type Db,
  type Filter,
  MongoBulkWriteError,
  MongoClient,
  type MongoClientOptions,
  MongoError,
  MongoServerError,
} from "mongodb";
import { GROUP_LIMITS } from "../../protocol/api";
import { trigrams } from "../fuzzy";
import { byJoined, openedGroup, withAnAdmin } from "../group-rules";
import { log } from "../log";
import {
  type AddConnectionResult,
  ARCHIVE_BATCH_MAX,
  type ArchivedMessage,
  BLOCKS_MAX,
  CONNECTIONS_MAX,
  CONVERSATIONS_MAX,
  type ConnectionRecord,
  type DetachedUser,
  type DetachedUserOf,
  GROUPS_MAX,
  type GroupMemberRecord,
  type GroupRecord,
  type InviteRecord,
  type OpenedConversation,
  type Result,
  SEARCH_CANDIDATES_MAX,
  type SearchOptions,
  type Store,
  USER_BATCH_MAX,
  type UserRecord,
  type UserRef,
} from "../ports/store";

/** Connections one client opens to the primary at most; the README multiplies it by the hosts. */
export const MONGO_MAX_POOL_SIZE = 5;
/** Users sharing a trigram with the query that a search scores at most. */
const TRIGRAM_SCAN_MAX = 1_000;
/** Messages removed per round trip when a conversation is deleted. */
const DELETE_BATCH = 1_000;

/**
 * Client options for a long-lived client held by a Durable Object: a small pool, and short
 * timeouts so that an unreachable cluster answers `unavailable` in seconds, not after 30 s.
 */
export function mongoClientOptions(): MongoClientOptions {
  return {
    maxPoolSize: MONGO_MAX_POOL_SIZE,
    minPoolSize: 0,
    serverSelectionTimeoutMS: 2_500,
    connectTimeoutMS: 2_500,
    socketTimeoutMS: 10_000,
    maxIdleTimeMS: 60_000,
    appName: "edge-chat",
  };
}

export const createMongoClient = (uri: string) => new MongoClient(uri, mongoClientOptions());

interface UserDoc {
  _id: string;
  username: string;
  /** The lower-cased username: unique, so names are unique whatever their case (no collation). */
  usernameKey: string;
  passwordHash: string;
  createdAt: number;
  expiresAt: number;
  trigrams: string[];
}

interface ConnectionDoc {
  /** `low:high`, the sorted pair: one document per pair. */
  _id: string;
  userLow: string;
  userHigh: string;
  conversationId: string;
  createdAt: number;
  /** Absent on connections made before requests existed: those were mutual. */
  status?: "pending" | "accepted";
  requestedBy?: string;
}

interface ConversationDoc {
  _id: string;
  members: string[];
  createdAt: number;
  /** Set when the connection behind it was removed: nobody may open it, and the purge still finds it. */
  closed: boolean;
  /** While the conversation is a request: who asked. */
  pendingFrom?: string | null;
  /** A group conversation; `members` then lists the roster's ids, for the index. */
  kind?: "group";
  name?: string;
  createdBy?: string;
  version?: number;
  roster?: GroupMemberRecord[];
}

type GroupDoc = Required<Omit<ConversationDoc, "pendingFrom">>;

/** A group never matches a one-to-one query: `$ne` also matches the conversations without `kind`. */
const ONE_TO_ONE = { kind: { $ne: "group" as const } };
const GROUP = { kind: "group" as const };
/** Optimistic saves retried at most this often when the purge races an admin. */
const LEAVE_ATTEMPTS = 10;

interface BlockDoc {
  /** `blocker:blocked`. */
  _id: string;
  blocker: string;
  blocked: string;
  createdAt: number;
}

interface InviteDoc {
  /** The SHA-256 of the token: the token itself is never stored. */
  _id: string;
  inviterId: string;
  expiresAt: number;
}

interface MessageDoc {
  /** `conversationId:seq`: ids of two conversations never collide, and a rewrite is a duplicate. */
  _id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  senderId: string;
  body: string;
  sentAt: number;
  /** Deleted for everyone: the body is empty. */
  deleted?: true;
}

const ok = <T>(value: T) => ({ ok: true, value }) as const;
const UNAVAILABLE = { ok: false, reason: "unavailable" } as const;
const DUPLICATE_KEY = 11000;
/** Server answers that mean "not now" (failover, shutdown, overload) rather than a bad request. */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 462]);

/** True when the error means the cluster is unreachable or busy, not that the request is wrong. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (!(error instanceof MongoServerError)) return true;
  // A bulk write (insertMany) that never got an answer wraps the driver's own error, labels lost.
  if (error instanceof MongoBulkWriteError && error.errorResponse instanceof MongoError) {
    return isUnavailable(error.errorResponse);
  }
  return (
    error.hasErrorLabel("RetryableWriteError") ||
    error.hasErrorLabel("SystemOverloadedError") ||
    TRANSIENT_CODES.has(Number(error.code))
  );
}

const pairId = (a: string, b: string) => [a, b].sort().join(":");
export const messageId = (conversationId: string, seq: number) => `${conversationId}:${seq}`;

/** The Store on MongoDB through the official driver. Indexes come from migrations/. */
export class MongoStore implements Store {
  private readonly users: Collection<UserDoc>;
  private readonly connections: Collection<ConnectionDoc>;
  private readonly conversations: Collection<ConversationDoc>;
  private readonly messages: Collection<MessageDoc>;
  private readonly blocks: Collection<BlockDoc>;
  private readonly invites: Collection<InviteDoc>;

  constructor(private readonly db: Db) {
    this.users = db.collection("users");
    this.connections = db.collection("connections");
    this.conversations = db.collection("conversations");
    this.messages = db.collection("messages");
    this.blocks = db.collection("blocks");
    this.invites = db.collection("invites");
  }

  ping(): Promise<Result<null>> {
    return guard(async () => {
      await this.db.command({ ping: 1 });
      return ok(null);
    });
  }

  createUser(user: UserRecord): Promise<Result<UserRecord, "username_taken">> {
    return guard(async () => {
      const usernameKey = user.username.toLowerCase();
      try {
        await this.users.insertOne({
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
    return guard(async () => ok(toUser(await this.users.findOne({ _id: id }, { projection: { trigrams: 0 } }))));
  }

  getUserByUsername(username: string): Promise<Result<UserRecord | null>> {
    return guard(async () => {
      const doc = await this.users.findOne({ usernameKey: username.toLowerCase() }, { projection: { trigrams: 0 } });
      return ok(toUser(doc));
    });
  }

  searchCandidates(query: string, options: SearchOptions): Promise<Result<UserRef[]>> {
    return guard(async () => {
      const key = query.toLowerCase();
      const grams = trigrams(key);
      const live = { expiresAt: { $gt: options.now }, _id: { $ne: options.excludeUserId ?? "" } };
      const [byPrefix, byTrigram] = await Promise.all([
        this.users
          .find({ ...live, usernameKey: { $gte: key, $lt: `${key}\uffff` } }, { projection: { username: 1 } })
          .sort({ usernameKey: 1 })
          .limit(SEARCH_CANDIDATES_MAX)
          .toArray(),
        this.users
          .find({ ...live, trigrams: { $in: grams } }, { projection: { username: 1, trigrams: 1 } })
          .limit(TRIGRAM_SCAN_MAX)
          .toArray(),
      ]);
      // The users sharing the most trigrams with the query are the likeliest near matches.
      const wanted = new Set(grams);
      const shared = (doc: Pick<UserDoc, "trigrams">) => doc.trigrams.filter((gram) => wanted.has(gram)).length;
      byTrigram.sort((a, b) => shared(b) - shared(a));
      const hidden = await this.blockedEitherWay(options.excludeUserId ?? "");
      const candidates = new Map<string, UserRef>();
      for (const doc of [...byPrefix, ...byTrigram]) {
        if (!hidden.has(doc._id)) candidates.set(doc._id, { id: doc._id, username: doc.username });
      }
      return ok([...candidates.values()].slice(0, SEARCH_CANDIDATES_MAX));
    });
  }

  addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
    options: { accepted?: boolean } = {},
  ): Promise<Result<AddConnectionResult, "unknown_user" | "blocked">> {
    return guard(async () => {
      const other = await this.users.findOne({ _id: otherId }, { projection: { username: 1 } });
      if (!other) return { ok: false, reason: "unknown_user" } as const;
      if ((await this.blockedEitherWay(userId)).has(otherId)) return { ok: false, reason: "blocked" } as const;
      const [userLow, userHigh] = [userId, otherId].sort() as [string, string];
      const status = options.accepted ? "accepted" : "pending";
      // The document as it was before: null when this call created the connection.
      const before = await this.connections.findOneAndUpdate(
        { _id: pairId(userId, otherId) },
        { $setOnInsert: { userLow, userHigh, conversationId, createdAt: now, status, requestedBy: userId } },
        { upsert: true, returnDocument: "before" },
      );
      const pendingFrom = before ? undefined : status === "pending" ? userId : null;
      // Always, not only on creation: a call interrupted after the connection is finished by a retry.
      await this.conversations.updateOne(
        { _id: conversationId },
        {
          $setOnInsert: { members: [userLow, userHigh], createdAt: now },
          $set: { closed: false, ...(pendingFrom === undefined ? {} : { pendingFrom }) },
        },
        { upsert: true },
      );
      const answered = before?.status === "pending" && (before.requestedBy === otherId || options.accepted);
      if (answered) await this.accept(before._id, before.conversationId);
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
        this.connections.findOne({ _id: pairId(userId, otherId) }),
        this.users.findOne({ _id: otherId }, { projection: { username: 1 } }),
      ]);
      if (!doc || !other || (doc.requestedBy ?? "") !== otherId) return { ok: false, reason: "not_found" } as const;
      if (doc.status === "pending") await this.accept(doc._id, doc.conversationId);
      return ok(toConnection(otherId, other.username, { ...doc, status: "accepted" }));
    });
  }

  block(userId: string, otherId: string, now: number): Promise<Result<{ closedConversationId: string | null }>> {
    return guard(async () => {
      await this.blocks.updateOne(
        { _id: `${userId}:${otherId}` },
        { $setOnInsert: { blocker: userId, blocked: otherId, createdAt: now } },
        { upsert: true },
      );
      const connection = await this.connections.findOne(
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
      await this.blocks.deleteOne({ _id: `${userId}:${otherId}` });
      return ok(null);
    });
  }

  listBlocked(userId: string): Promise<Result<UserRef[]>> {
    return guard(async () => {
      const docs = await this.blocks.find({ blocker: userId }).sort({ createdAt: -1 }).limit(BLOCKS_MAX).toArray();
      const names = await this.usernames(docs.map((doc) => doc.blocked));
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
      await this.invites.replaceOne(
        { _id: invite.tokenHash },
        { inviterId: invite.inviterId, expiresAt: invite.expiresAt },
        { upsert: true },
      );
      return ok(null);
    });
  }

  findInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    return guard(async () => {
      const doc = await this.invites.findOne({ _id: tokenHash, expiresAt: { $gt: now } });
      return ok(doc ? toInvite(doc) : null);
    });
  }

  takeInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>> {
    return guard(async () => {
      const doc = await this.invites.findOne({ _id: tokenHash });
      if (!doc) return ok(null);
      // The delete decides: of two concurrent callers, only the one whose delete removed it takes it
      // (findOneAndDelete gave both the document on FerretDB).
      const { deletedCount } = await this.invites.deleteOne({ _id: tokenHash });
      return ok(deletedCount === 1 && doc.expiresAt > now ? toInvite(doc) : null);
    });
  }

  removeConnection(userId: string, otherId: string): Promise<Result<boolean>> {
    return guard(async () => {
      const _id = pairId(userId, otherId);
      const connection = await this.connections.findOne({ _id }, { projection: { conversationId: 1 } });
      if (!connection) return ok(false);
      // Closed first: an interruption leaves the connection, so a retry finishes the job.
      await this.conversations.updateOne({ _id: connection.conversationId }, { $set: { closed: true } });
      const { deletedCount } = await this.connections.deleteOne({ _id });
      return ok(deletedCount > 0);
    });
  }

  listConnections(userId: string): Promise<Result<ConnectionRecord[]>> {
    return guard(async () => {
      const docs = await this.connections
        .find({ $or: [{ userLow: userId }, { userHigh: userId }] })
        .sort({ createdAt: -1 })
        .limit(CONNECTIONS_MAX)
        .toArray();
      const otherOf = (doc: ConnectionDoc) => (doc.userLow === userId ? doc.userHigh : doc.userLow);
      const names = await this.usernames(docs.map(otherOf));
      return ok(
        docs.flatMap((doc) => {
          const username = names.get(otherOf(doc));
          // A user removed by an unfinished purge is no longer anyone's connection.
          return username === undefined ? [] : [toConnection(otherOf(doc), username, doc)];
        }),
      );
    });
  }

  openConversation(
    userId: string,
    conversationId: string,
  ): Promise<Result<OpenedConversation, "not_found" | "forbidden">> {
    return guard(async () => {
      const conversation = await this.conversations.findOne({ _id: conversationId });
      if (!conversation) return { ok: false, reason: "not_found" } as const;
      if (isGroup(conversation)) {
        if (!conversation.members.includes(userId)) return { ok: false, reason: "forbidden" } as const;
        return ok(openedGroup(toGroup(conversation)));
      }
      if (conversation.closed || !conversation.members.includes(userId))
        return { ok: false, reason: "forbidden" } as const;
      const memberIds = [...conversation.members].sort().slice(0, CONVERSATIONS_MAX);
      const names = await this.usernames(memberIds);
      return ok({
        id: conversationId,
        members: memberIds.map((id) => ({ id, username: names.get(id) ?? "" })),
        createdAt: conversation.createdAt,
        pendingFrom: conversation.pendingFrom ?? null,
      });
    });
  }

  archiveMessages(batch: ArchivedMessage[]): Promise<Result<{ inserted: number }>> {
    return guard(async () => {
      const docs = batch.slice(0, ARCHIVE_BATCH_MAX).map(
        (message): MessageDoc => ({
          _id: messageId(message.conversationId, message.seq),
          conversationId: message.conversationId,
          seq: message.seq,
          clientId: message.id,
          senderId: message.senderId,
          body: message.deleted ? "" : message.body,
          sentAt: message.sentAt,
          ...(message.deleted ? { deleted: true as const } : {}),
        }),
      );
      const deleted = docs.filter((doc) => doc.deleted);
      const live = docs.filter((doc) => !doc.deleted);
      return ok({ inserted: (await this.replaceArchived(deleted)) + (await this.insertArchived(live)) });
    });
  }

  /** Writes messages not archived yet; one already there is left as it is. Answers how many were new. */
  private async insertArchived(docs: MessageDoc[]): Promise<number> {
    if (docs.length === 0) return 0;
    try {
      return (await this.messages.insertMany(docs, { ordered: false })).insertedCount;
    } catch (error) {
      // Unordered: duplicates (already archived by an earlier, unacknowledged try) are refused, the rest land.
      if (error instanceof MongoBulkWriteError && onlyDuplicates(error)) return error.result.insertedCount;
      throw error;
    }
  }

  /** Deleted messages replace what the archive holds under their id (its body), or are written new. */
  private async replaceArchived(docs: MessageDoc[]): Promise<number> {
    if (docs.length === 0) return 0;
    const result = await this.messages.bulkWrite(
      docs.map(({ _id, ...replacement }) => ({ replaceOne: { filter: { _id }, replacement, upsert: true } })),
      { ordered: false },
    );
    return result.upsertedCount;
  }

  messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Result<ArchivedMessage[]>> {
    return guard(async () => {
      const docs = await this.messages
        .find({ conversationId, seq: { $lt: beforeSeq } })
        .sort({ seq: -1 })
        .limit(Math.min(limit, ARCHIVE_BATCH_MAX))
        .toArray();
      return ok(docs.reverse().map(toArchived));
    });
  }

  deleteConversationMessages(conversationId: string): Promise<Result<null>> {
    return guard(async () => {
      await this.deleteMessagesOf(conversationId);
      return ok(null);
    });
  }

  listExpiredUsers(now: number, limit: number): Promise<Result<string[]>> {
    return guard(async () => {
      const docs = await this.users
        .find({ expiresAt: { $lte: now } }, { projection: { _id: 1 } })
        .sort({ expiresAt: 1 })
        .limit(limit)
        .toArray();
      return ok(docs.map((doc) => doc._id));
    });
  }

  expireUser(userId: string, now: number): Promise<Result<null>> {
    return guard(async () => {
      await this.users.updateOne({ _id: userId, expiresAt: { $gt: now } }, { $set: { expiresAt: now } });
      return ok(null);
    });
  }

  detachUser(userId: string): Promise<Result<DetachedUser>> {
    return guard(async () => {
      // Conversations closed before connections go, as in removeConnection.
      await this.conversations.updateMany(
        { members: userId, closed: { $ne: true }, ...ONE_TO_ONE },
        { $set: { closed: true } },
      );
      const connections = await this.connections
        .find({ $or: [{ userLow: userId }, { userHigh: userId }] }, { projection: { userLow: 1, userHigh: 1 } })
        .limit(CONNECTIONS_MAX)
        .toArray();
      if (connections.length > 0)
        await this.connections.deleteMany({ _id: { $in: connections.map((doc) => doc._id) } });
      const formerConnections = connections.map((doc) => (doc.userLow === userId ? doc.userHigh : doc.userLow));
      const groupIds = (await this.groupsOf([userId], GROUPS_MAX)).map((group) => group._id);
      return ok({ conversationIds: await this.conversationIdsOf(userId), formerConnections, groupIds });
    });
  }

  deleteUser(userId: string): Promise<Result<null>> {
    return guard(async () => {
      await this.leaveGroups([userId]);
      for (let ids = await this.conversationIdsOf(userId); ids.length > 0; ids = await this.conversationIdsOf(userId)) {
        // Messages before their conversation: while the conversation is there, a retry still finds them.
        for (const id of ids) await this.deleteMessagesOf(id);
        await this.conversations.deleteMany({ _id: { $in: ids } });
      }
      await this.connections.deleteMany({ $or: [{ userLow: userId }, { userHigh: userId }] });
      await this.blocks.deleteMany({ $or: [{ blocker: userId }, { blocked: userId }] });
      await this.invites.deleteMany({ inviterId: userId });
      await this.users.deleteOne({ _id: userId });
      return ok(null);
    });
  }

  /** Accepted: the connection first, then the conversation, each idempotent, so a retry finishes. */
  private async accept(connectionId: string, conversationId: string): Promise<void> {
    await this.connections.updateOne({ _id: connectionId }, { $set: { status: "accepted" } });
    await this.conversations.updateOne({ _id: conversationId }, { $set: { pendingFrom: null } });
  }

  /** Everyone `userId` blocked or was blocked by. */
  private async blockedEitherWay(userId: string): Promise<Set<string>> {
    if (!userId) return new Set();
    const docs = await this.blocks
      .find({ $or: [{ blocker: userId }, { blocked: userId }] }, { projection: { blocker: 1, blocked: 1 } })
      .limit(2 * BLOCKS_MAX)
      .toArray();
    return new Set(docs.map((doc) => (doc.blocker === userId ? doc.blocked : doc.blocker)));
  }

  detachUsers(userIds: string[]): Promise<Result<DetachedUserOf[]>> {
    return guard(async () => {
      const ids = userIds.slice(0, USER_BATCH_MAX);
      if (ids.length === 0) return ok([]);
      const byUser = new Map(
        ids.map((id) => [
          id,
          { userId: id, conversationIds: [] as string[], formerConnections: [] as string[], groupIds: [] as string[] },
        ]),
      );
      await this.conversations.updateMany(
        { members: { $in: ids }, closed: { $ne: true }, ...ONE_TO_ONE },
        { $set: { closed: true } },
      );
      for (;;) {
        const connections = await this.connections
          .find(
            { $or: [{ userLow: { $in: ids } }, { userHigh: { $in: ids } }] },
            { projection: { userLow: 1, userHigh: 1 } },
          )
          .limit(CONNECTIONS_MAX)
          .toArray();
        if (connections.length === 0) break;
        for (const { userLow, userHigh } of connections) {
          byUser.get(userLow)?.formerConnections.push(userHigh);
          byUser.get(userHigh)?.formerConnections.push(userLow);
        }
        await this.connections.deleteMany({ _id: { $in: connections.map((doc) => doc._id) } });
        if (connections.length < CONNECTIONS_MAX) break;
      }
      const conversations = await this.conversations
        .find({ members: { $in: ids }, ...ONE_TO_ONE }, { projection: { members: 1 } })
        .limit(CONVERSATIONS_MAX)
        .toArray();
      for (const conversation of conversations) {
        for (const member of conversation.members) byUser.get(member)?.conversationIds.push(conversation._id);
      }
      for (const group of await this.groupsOf(ids, GROUPS_MAX * ids.length)) {
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
      const ids = userIds.slice(0, USER_BATCH_MAX);
      if (ids.length === 0) return ok(null);
      await this.leaveGroups(ids);
      for (;;) {
        const conversations = await this.conversations
          .find({ members: { $in: ids }, ...ONE_TO_ONE }, { projection: { _id: 1 } })
          .limit(CONVERSATIONS_MAX)
          .toArray();
        if (conversations.length === 0) break;
        const conversationIds = conversations.map((doc) => doc._id);
        // Messages before their conversations, as in deleteUser.
        for (;;) {
          const messages = await this.messages
            .find({ conversationId: { $in: conversationIds } }, { projection: { _id: 1 } })
            .limit(DELETE_BATCH)
            .toArray();
          if (messages.length > 0) await this.messages.deleteMany({ _id: { $in: messages.map((doc) => doc._id) } });
          if (messages.length < DELETE_BATCH) break;
        }
        await this.conversations.deleteMany({ _id: { $in: conversationIds } });
      }
      await this.connections.deleteMany({ $or: [{ userLow: { $in: ids } }, { userHigh: { $in: ids } }] });
      await this.users.deleteMany({ _id: { $in: ids } });
      return ok(null);
    });
  }

  /** Their one-to-one conversations (a group is not theirs to close or remove). */
  private async conversationIdsOf(userId: string): Promise<string[]> {
    const docs = await this.conversations
      .find({ members: userId, ...ONE_TO_ONE }, { projection: { _id: 1 } })
      .limit(CONVERSATIONS_MAX)
      .toArray();
    return docs.map((doc) => doc._id);
  }

  private deleteMessagesOf(conversationId: string): Promise<void> {
    return this.deleteMessagesWhere({ conversationId });
  }

  /** In batches, so a large archive is never one unbounded request. */
  private async deleteMessagesWhere(filter: Filter<MessageDoc>): Promise<void> {
    for (;;) {
      const ids = await this.messages
        .find(filter, { projection: { _id: 1 } })
        .limit(DELETE_BATCH)
        .toArray();
      if (ids.length === 0) return;
      await this.messages.deleteMany({ _id: { $in: ids.map((doc) => doc._id) } });
      if (ids.length < DELETE_BATCH) return;
    }
  }

  createGroup(group: Omit<GroupRecord, "version">): Promise<Result<GroupRecord>> {
    return guard(async () => {
      const roster = [...group.members].sort(byJoined);
      const doc: GroupDoc = {
        _id: group.id,
        members: roster.map((member) => member.id),
        createdAt: group.createdAt,
        closed: false,
        kind: "group",
        name: group.name,
        createdBy: group.createdBy,
        version: 1,
        roster,
      };
      try {
        await this.conversations.insertOne(doc);
      } catch (error) {
        // A retried insert whose first try landed: the group is there.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        const stored = await this.conversations.findOne({ _id: group.id, ...GROUP });
        if (!stored || !isGroup(stored)) throw error;
        return ok(toGroup(stored));
      }
      return ok(toGroup(doc));
    });
  }

  getGroup(groupId: string): Promise<Result<GroupRecord | null>> {
    return guard(async () => {
      const doc = await this.conversations.findOne({ _id: groupId, ...GROUP });
      return ok(doc && isGroup(doc) ? toGroup(doc) : null);
    });
  }

  listGroups(userId: string): Promise<Result<GroupRecord[]>> {
    return guard(async () => ok((await this.groupsOf([userId], GROUPS_MAX)).map(toGroup)));
  }

  saveGroup(group: GroupRecord): Promise<Result<GroupRecord, "conflict" | "not_found">> {
    return guard(async () => {
      const roster = [...group.members].sort(byJoined);
      const saved = await this.conversations.findOneAndUpdate(
        { _id: group.id, version: group.version, ...GROUP },
        { $set: { name: group.name, roster, members: roster.map((member) => member.id), version: group.version + 1 } },
        { returnDocument: "after" },
      );
      if (saved && isGroup(saved)) return ok(toGroup(saved));
      const exists = await this.conversations.findOne({ _id: group.id, ...GROUP }, { projection: { _id: 1 } });
      return { ok: false, reason: exists ? "conflict" : "not_found" } as const;
    });
  }

  deleteGroup(groupId: string): Promise<Result<null>> {
    return guard(async () => {
      await this.removeGroup(groupId);
      return ok(null);
    });
  }

  /** The groups any of `userIds` is in, newest first. */
  private async groupsOf(userIds: string[], limit: number): Promise<GroupDoc[]> {
    const docs = await this.conversations
      .find({ members: { $in: userIds }, ...GROUP })
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.filter(isGroup);
  }

  /** Takes `userIds` out of every group they are in (their accounts end), a bounded batch at a time. */
  private async leaveGroups(userIds: string[]): Promise<void> {
    const leaving = new Set(userIds);
    for (;;) {
      const groups = await this.groupsOf(userIds, GROUPS_MAX);
      for (const group of groups) await this.leaveGroup(group, leaving);
      if (groups.length < GROUPS_MAX) return;
    }
  }

  /**
   * The leaving members' messages go first (while they are members, a retry finds them), then the
   * members, in one optimistic write: the version goes up, so an admin's save read before this
   * cannot bring them back. The last one out removes the group; a group never stays without an
   * admin: the longest-standing member becomes one.
   */
  private async leaveGroup(first: GroupDoc, leaving: Set<string>): Promise<void> {
    let group: GroupDoc | null = first;
    for (let attempt = 1; group; attempt++) {
      const gone = group.members.filter((id) => leaving.has(id));
      if (gone.length === 0) return;
      const roster = withAnAdmin(group.roster.filter((member) => !leaving.has(member.id)).sort(byJoined));
      if (roster.length === 0) return this.removeGroup(group._id);
      await this.deleteMessagesWhere({ conversationId: group._id, senderId: { $in: gone } });
      const { matchedCount } = await this.conversations.updateOne(
        { _id: group._id, version: group.version, ...GROUP },
        { $set: { roster, members: roster.map((member) => member.id), version: group.version + 1 } },
      );
      if (matchedCount === 1) return;
      if (attempt >= LEAVE_ATTEMPTS) throw new Error(`group ${group._id} kept changing while members left`);
      const fresh: ConversationDoc | null = await this.conversations.findOne({ _id: group._id, ...GROUP });
      group = fresh && isGroup(fresh) ? fresh : null;
    }
  }

  /** The record and its archive, the archive first; only a group's (a one-to-one conversation is left alone). */
  private async removeGroup(groupId: string): Promise<void> {
    const doc = await this.conversations.findOne({ _id: groupId }, { projection: { kind: 1 } });
    if (doc && doc.kind !== "group") return;
    await this.deleteMessagesOf(groupId);
    await this.conversations.deleteOne({ _id: groupId, ...GROUP });
  }

  private async usernames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const docs = await this.users
      .find({ _id: { $in: ids } }, { projection: { username: 1 } })
      .limit(ids.length)
      .toArray();
    return new Map(docs.map((doc) => [doc._id, doc.username]));
  }
}

/** Runs one Store operation, turning "the cluster did not answer" into a value. */
async function guard<T, E extends string>(operation: () => Promise<Result<T, E>>): Promise<Result<T, E>> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) {
      log("warn", "mongo_unavailable", {}, error);
      return UNAVAILABLE;
    }
    throw error;
  }
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

function isGroup(doc: ConversationDoc): doc is ConversationDoc & GroupDoc {
  return doc.kind === "group";
}

function toGroup(doc: GroupDoc): GroupRecord {
  return {
    id: doc._id,
    name: doc.name,
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    members: [...doc.roster].sort(byJoined).slice(0, GROUP_LIMITS.membersMax),
    version: doc.version,
  };
}

function toInvite(doc: InviteDoc): InviteRecord {
  return { tokenHash: doc._id, inviterId: doc.inviterId, expiresAt: doc.expiresAt };
}

function onlyDuplicates(error: MongoBulkWriteError): boolean {
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return errors.length > 0 && errors.every((writeError) => writeError.code === DUPLICATE_KEY);
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

function toArchived(doc: MessageDoc): ArchivedMessage {
  return {
    conversationId: doc.conversationId,
    seq: doc.seq,
    id: doc.clientId,
    senderId: doc.senderId,
    body: doc.body,
    sentAt: doc.sentAt,
    ...(doc.deleted ? { deleted: true as const } : {}),
  };
}
