import type { Store } from "../../ports/store";
import { storeOfAreas } from "../store-of-areas";
import { SqliteAccounts } from "./accounts";
import { SqliteContacts } from "./contacts";
import { SqliteConversations } from "./conversations";
import { SqliteGroups } from "./groups";
import { SqliteHealth } from "./health";
import { SqlitePurge } from "./purge";
import { migrate } from "./schema";

/**
 * The embedded Store on a Durable Object's SQLite, used when no MONGODB_URI is set. Local: it
 * is never unavailable, and each method is one synchronous transaction.
 */
export function sqliteStore(storage: DurableObjectStorage): Store {
  migrate(storage.sql);
  return storeOfAreas({
    health: new SqliteHealth(),
    accounts: new SqliteAccounts(storage),
    contacts: new SqliteContacts(storage),
    conversations: new SqliteConversations(storage),
    groups: new SqliteGroups(storage),
    purge: new SqlitePurge(storage),
  });
}
