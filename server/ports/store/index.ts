/**
 * The data port, by area: accounts, contacts and consent, conversations and their archive,
 * groups, and the purge. Adapters: the embedded one on Durable Object SQLite
 * (server/adapters/sqlite-store/) and MongoDB (server/adapters/mongo-store/), a file per area
 * each, both hosted by durable-objects/store-host.ts.
 * Times are milliseconds since the epoch. Every method answers a value, never throws for an
 * expected failure: a network store may be unreachable, and that is `reason: "unavailable"`.
 * Every method reads a bounded amount: one call, one answer of known size.
 */
import type { AccountStore } from "./accounts";
import type { ContactStore } from "./contacts";
import type { ConversationStore } from "./conversations";
import type { GroupStore } from "./groups";
import type { PurgeStore } from "./purge";
import type { Result } from "./result";

export * from "./accounts";
export * from "./contacts";
export * from "./conversations";
export * from "./groups";
export * from "./purge";
export * from "./result";
export * from "./unavailable";

/** Whether the store answers at all, for /api/health. */
export interface HealthStore {
  /** Answers when the store is reachable. */
  ping(): Promise<Result<null>>;
}

/** Each area of the Store as its own port: an adapter is one of each. */
export interface StoreAreas {
  health: HealthStore;
  accounts: AccountStore;
  contacts: ContactStore;
  conversations: ConversationStore;
  groups: GroupStore;
  purge: PurgeStore;
}

export type Store = HealthStore & AccountStore & ContactStore & ConversationStore & GroupStore & PurgeStore;

/** The name of a Store call. */
export type StoreMethod = keyof Store;
