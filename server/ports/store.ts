/**
 * The data port: users, connections, conversations and the message archive. Adapters: the
 * embedded one on Durable Object SQLite (server/adapters/sqlite-store.ts) and MongoDB
 * (server/adapters/mongo-store.ts), both hosted by durable-objects/store-host.ts.
 * Times are milliseconds since the epoch. Every method answers a value, never throws for an
 * expected failure: a network store may be unreachable, and that is `reason: "unavailable"`.
 * Every method reads a bounded amount: one call, one answer of known size.
 */

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  expiresAt: number;
}

/** A user as others see them. */
export interface UserRef {
  id: string;
  username: string;
}

export interface ConnectionRecord {
  /** The other person. */
  userId: string;
  username: string;
  conversationId: string;
  createdAt: number;
  /** A request waits for the person asked; an accepted one is a contact. */
  status: "pending" | "accepted";
  /** Who asked. */
  requestedBy: string;
}

/** A conversation opened by one of its members: who is in it, with names, in one answer. */
export interface OpenedConversation {
  id: string;
  /** A list, never a pair: a group has up to GROUP_LIMITS.membersMax. */
  members: UserRef[];
  createdAt: number;
  /** While it is a request not yet accepted: who asked. Null once accepted (and always for a group). */
  pendingFrom: string | null;
  /** Present for a group conversation: its name and who may manage it. */
  group?: { name: string; admins: string[] };
}

/** One member of a group, as the group's record keeps them. */
export interface GroupMemberRecord {
  id: string;
  username: string;
  admin: boolean;
  /** Muted by this member: no notifications but mentions. */
  muted: boolean;
  joinedAt: number;
}

/**
 * A group conversation: its id is also its room's and its archive's conversation id. `version`
 * goes up by one with every saved change, so that two admins changing it at once do not undo
 * each other (`saveGroup` answers `conflict` and the caller reads it again).
 */
export interface GroupRecord {
  id: string;
  name: string;
  createdBy: string;
  createdAt: number;
  members: GroupMemberRecord[];
  version: number;
}

/** A live invitation: who made it, until when. Stored under a hash of its token, never the token. */
export interface InviteRecord {
  tokenHash: string;
  inviterId: string;
  expiresAt: number;
}

/** One message as the archive keeps it; `(conversationId, seq)` identifies it. */
export interface ArchivedMessage {
  conversationId: string;
  seq: number;
  /** The client's message id, kept for idempotency beside the seq. */
  id: string;
  senderId: string;
  body: string;
  sentAt: number;
  /** Deleted for everyone: the body is empty, and writing it empties a copy archived before. */
  deleted?: true;
}

export interface AddConnectionResult {
  created: boolean;
  connection: ConnectionRecord;
}

/** What a user took part in, so the purge can clear the rooms and tell the hubs involved. */
export interface DetachedUser {
  /** Their one-to-one conversations (closed by the detach). */
  conversationIds: string[];
  formerConnections: string[];
  /**
   * The groups they are still a member of. The detach leaves the membership in place, so that a
   * purge interrupted after it finds the groups again; `deleteUsers` removes it.
   */
  groupIds: string[];
}

/** What `detachUsers` found for one of the users. */
export interface DetachedUserOf extends DetachedUser {
  userId: string;
}

export interface SearchOptions {
  /** The searcher: left out, and so is everyone they blocked or who blocked them. */
  excludeUserId?: string;
  now: number;
}

/** The store did not answer in time (network, failover, overload): try again shortly. */
export type Unavailable = { ok: false; reason: "unavailable" };

/** A value, an expected failure named by `E`, or the store being unreachable. */
export type Result<T, E extends string = never> = { ok: true; value: T } | { ok: false; reason: E } | Unavailable;

/** At most this many search candidates come back; the ranking above the port picks from them. */
export const SEARCH_CANDIDATES_MAX = 200;
/** At most this many connections per user are listed. */
export const CONNECTIONS_MAX = 1_000;
/** At most this many conversations of one user are returned or removed per call. */
export const CONVERSATIONS_MAX = 1_000;
/** At most this many users per `detachUsers` / `deleteUsers` call. */
export const USER_BATCH_MAX = 100;
/** At most this many messages per archive write or history page. */
export const ARCHIVE_BATCH_MAX = 500;
/** At most this many blocked people per user are listed (and hidden from search). */
export const BLOCKS_MAX = 1_000;
/** At most this many groups per user are listed (and returned by a detach). */
export const GROUPS_MAX = 200;

export interface Store extends GroupStore {
  /** Answers when the store is reachable. */
  ping(): Promise<Result<null>>;

  createUser(user: UserRecord): Promise<Result<UserRecord, "username_taken">>;
  getUser(id: string): Promise<Result<UserRecord | null>>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<Result<UserRecord | null>>;
  /**
   * Candidates for a search, unranked, unexpired and without `excludeUserId`: exact name, names
   * that start with the query, and names that share trigrams with it (for typos). At most
   * SEARCH_CANDIDATES_MAX; `rankUsers` in server/fuzzy.ts ranks them.
   */
  searchCandidates(query: string, options: SearchOptions): Promise<Result<UserRef[]>>;

  /**
   * A request from `userId` to `otherId` (both see it) and their conversation with both as
   * members; `accepted` makes it a contact at once (an invite). When `otherId` had already asked,
   * it is accepted. Idempotent. `unknown_user` when the other user does not exist, `blocked` when
   * either blocked the other.
   */
  addConnection(
    userId: string,
    otherId: string,
    conversationId: string,
    now: number,
    options?: { accepted?: boolean },
  ): Promise<Result<AddConnectionResult, "unknown_user" | "blocked">>;
  /** The person asked accepts `otherId`'s request. `not_found` when there is no such request. */
  acceptConnection(userId: string, otherId: string): Promise<Result<ConnectionRecord, "not_found">>;
  /** True when a connection existed. Its conversation is closed, and kept for the purge to find. */
  removeConnection(userId: string, otherId: string): Promise<Result<boolean>>;

  /**
   * `userId` blocks `otherId`: any connection between them is removed (as removeConnection) and
   * neither can request or find the other. Answers the conversation that was closed, if any.
   */
  block(userId: string, otherId: string, now: number): Promise<Result<{ closedConversationId: string | null }>>;
  unblock(userId: string, otherId: string): Promise<Result<null>>;
  /** The people `userId` blocked, at most BLOCKS_MAX. */
  listBlocked(userId: string): Promise<Result<UserRef[]>>;

  createInvite(invite: InviteRecord): Promise<Result<null>>;
  /** A live invite by the hash of its token, or null (unknown, used or expired). */
  findInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>>;
  /** Uses an invite up: exactly one caller gets it, later ones null. */
  takeInvite(tokenHash: string, now: number): Promise<Result<InviteRecord | null>>;
  /** Newest first, at most CONNECTIONS_MAX. */
  listConnections(userId: string): Promise<Result<ConnectionRecord[]>>;

  /**
   * The conversation with its members' names, for one of its members, in one call:
   * `not_found` when there is no such conversation, `forbidden` when the user is not a member
   * or the conversation was closed (its connection removed).
   */
  openConversation(
    userId: string,
    conversationId: string,
  ): Promise<Result<OpenedConversation, "not_found" | "forbidden">>;

  /**
   * Writes messages to the archive; `inserted` counts those it did not hold. Idempotent: a message
   * already archived is left as it is, unless the one written is `deleted`: that one replaces it.
   */
  archiveMessages(batch: ArchivedMessage[]): Promise<Result<{ inserted: number }>>;
  /** Archived messages with seq below `beforeSeq`, oldest first: the newest `limit` of them. */
  messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Result<ArchivedMessage[]>>;
  /** Removes a conversation's archived messages. Safe to repeat. */
  deleteConversationMessages(conversationId: string): Promise<Result<null>>;

  /** Users whose account expired at or before `now`, oldest first. */
  listExpiredUsers(now: number, limit: number): Promise<Result<string[]>>;
  /** Ends the account now: it can no longer sign in, and the purge will remove it. */
  expireUser(userId: string, now: number): Promise<Result<null>>;
  /**
   * First step of removing a user: drops their connections (so nobody sees them any more),
   * closes their one-to-one conversations and returns them (at most CONVERSATIONS_MAX) with
   * their groups (at most GROUPS_MAX, left open and still theirs). Safe to repeat.
   */
  detachUser(userId: string): Promise<Result<DetachedUser>>;
  /**
   * Last step: removes their conversations with their archived messages (in bounded batches),
   * their memberships of groups with the messages they sent there (a group left with nobody is
   * removed with its archive), their blocks either way and their invites,
   * then the user record, which goes last so an interrupted call is finished by the next. Safe
   * to repeat.
   */
  deleteUser(userId: string): Promise<Result<null>>;

  /**
   * `detachUser` for up to USER_BATCH_MAX users in a few round trips, for the purge's batches:
   * one entry per user, in the order given. Safe to repeat.
   */
  detachUsers(userIds: string[]): Promise<Result<DetachedUserOf[]>>;
  /** `deleteUser` for up to USER_BATCH_MAX users in a few round trips. Safe to repeat. */
  deleteUsers(userIds: string[]): Promise<Result<null>>;
}

/**
 * Group conversations. A group is a conversation (`openConversation` answers it, with `group`),
 * never a connection: connections, blocks and requests leave groups alone.
 */
export interface GroupStore {
  /** A new group with its members (the creator an admin). Its id is new: no conflict is possible. */
  createGroup(group: Omit<GroupRecord, "version">): Promise<Result<GroupRecord>>;
  /** The group by id, whoever asks (the route checks membership), or null. */
  getGroup(groupId: string): Promise<Result<GroupRecord | null>>;
  /** The groups `userId` is a member of, newest first, at most GROUPS_MAX. */
  listGroups(userId: string): Promise<Result<GroupRecord[]>>;
  /**
   * Writes the group's name and members when the stored version is still `group.version`, and
   * answers it with the version one higher. `conflict` when someone saved it in between (read it
   * again and redo the change); `not_found` when it is gone.
   */
  saveGroup(group: GroupRecord): Promise<Result<GroupRecord, "conflict" | "not_found">>;
  /** Removes the group record and its archived messages. Safe to repeat. */
  deleteGroup(groupId: string): Promise<Result<null>>;
}
