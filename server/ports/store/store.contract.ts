import { describeAccountStoreContract } from "./accounts.contract";
import { describeContactStoreContract } from "./contacts.contract";
import { describeConversationStoreContract } from "./conversations.contract";
import { describeGroupStoreContract } from "./groups.contract";
import type { Store } from "./index";
import { describePurgeStoreContract } from "./purge.contract";

/**
 * The behaviour every Store adapter must have, area by area. Only the Store interface is used, and
 * every test makes its own users with fresh ids and names, so adapters whose state outlives a test
 * pass too. Each area's suite makes its own store with `makeStore`.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describeAccountStoreContract(name, makeStore);
  describeContactStoreContract(name, makeStore);
  describeConversationStoreContract(name, makeStore);
  describeGroupStoreContract(name, makeStore);
  describePurgeStoreContract(name, makeStore);
}
