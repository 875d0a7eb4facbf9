import type { UserRef } from "./accounts";
import type { Result } from "./result";

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

/** A live invitation: who made it, until when. Stored under a hash of its token, never the token. */
export interface InviteRecord {
  tokenHash: string;
  inviterId: string;
  expiresAt: number;
}

export interface AddConnectionResult {
  created: boolean;
  connection: ConnectionRecord;
}

/** At most this many connections per user are listed. */
export const CONNECTIONS_MAX = 1_000;
/** At most this many blocked people per user are listed (and hidden from search). */
export const BLOCKS_MAX = 1_000;

/** Contacts and consent: requests, contacts, blocks and invitations, each with its conversation. */
export interface ContactStore {
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
  /** Newest first, at most CONNECTIONS_MAX. */
  listConnections(userId: string): Promise<Result<ConnectionRecord[]>>;

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
}
