import { hubFor, roomFor } from "../durable-objects/addresses";
import type { Store } from "../server/ports/store";
import { directConversationId } from "./lib/conversation-id";

/** Accounts handled per purge run; the next run picks up the rest. */
const PURGE_BATCH = 50;

/**
 * Removes an account and everything it took part in. Each step is safe to repeat, and the
 * user record goes last, so an interrupted run is finished by the next purge: the account is
 * expired first (no sign-in), connections next (nobody sees it), then rooms and hubs.
 */
export async function removeAccount(
  env: Env,
  store: Store,
  userId: string,
  reason: "expired" | "deleted",
): Promise<void> {
  await store.expireUser(userId, Date.now());
  const { conversationIds, formerConnections } = await store.detachUser(userId);
  await Promise.all(conversationIds.map((id) => roomFor(env, id).destroy()));
  await Promise.all(
    formerConnections.map(async (peerId) => {
      const conversationId = await directConversationId(userId, peerId);
      await hubFor(env, peerId)
        .connectionRemoved(userId, conversationId)
        .catch((error: unknown) => console.error("could not tell a former connection", error));
    }),
  );
  await hubFor(env, userId).endAccount(reason);
  await store.deleteUser(userId);
}

/** Removes accounts past their lifetime. Returns how many were removed. */
export async function purgeExpiredAccounts(env: Env, store: Store, now: number): Promise<number> {
  let removed = 0;
  for (;;) {
    const expired = await store.listExpiredUsers(now, PURGE_BATCH);
    for (const userId of expired) {
      await removeAccount(env, store, userId, "expired");
      removed += 1;
    }
    if (expired.length < PURGE_BATCH) return removed;
  }
}
