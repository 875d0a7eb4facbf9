import type { Db } from "mongodb";
import type { Store } from "../../ports/store";
import { storeOfAreas } from "../store-of-areas";
import { MongoAccounts } from "./accounts";
import { MongoContacts } from "./contacts";
import { MongoConversations } from "./conversations";
import { collectionsOf } from "./documents";
import { MongoGroups } from "./groups";
import { MongoHealth } from "./health";
import { MongoPurge } from "./purge";

export { createMongoClient, MONGO_MAX_POOL_SIZE, mongoClientOptions } from "./client";
export { messageId } from "./documents";
export { isUnavailable } from "./guard";

/** The Store on MongoDB through the official driver, an area per file. Indexes come from migrations/. */
export function mongoStore(db: Db): Store {
  const collections = collectionsOf(db);
  return storeOfAreas({
    health: new MongoHealth(db),
    accounts: new MongoAccounts(collections),
    contacts: new MongoContacts(collections),
    conversations: new MongoConversations(collections),
    groups: new MongoGroups(collections),
    purge: new MongoPurge(collections),
  });
}
