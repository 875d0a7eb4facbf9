import type { Result } from "./result";

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

export interface SearchOptions {
  /** The searcher: left out, and so is everyone they blocked or who blocked them. */
  excludeUserId?: string;
  now: number;
}

/** At most this many search candidates come back; the ranking above the port picks from them. */
export const SEARCH_CANDIDATES_MAX = 200;

/** Accounts: who signs up, signs in, and can be found. Ending one is the purge's (purge.ts). */
export interface AccountStore {
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
}
