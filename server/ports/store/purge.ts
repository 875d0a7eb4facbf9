import type { Result } from "./result";

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

/** At most this many conversations of one user are returned or removed per call. */
export const CONVERSATIONS_MAX = 1_000;
/** At most this many users per `detachUsers` / `deleteUsers` call. */
export const USER_BATCH_MAX = 100;

/** Ending accounts: at once on request, or when their lifetime is over, and removing what they leave. */
export interface PurgeStore {
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
