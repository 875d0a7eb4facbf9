import { hubFor, roomFor } from "../durable-objects/addresses";
import type { AccountEndReason } from "../protocol/wire";
import { log } from "../server/log";
import type { Store } from "../server/ports/store";
import type { SessionClaims } from "./auth/session-token";
import { directConversationId } from "./lib/conversation-id";

/** Accounts handled per purge batch; the next run picks up what one run leaves. */
const PURGE_BATCH = 50;

/** The store did not answer: the caller retries later (the purge on its next run). */
export class StoreUnavailableError extends Error {
  constructor(step: string) {
    super(`store unavailable during ${step}`);
    this.name = "StoreUnavailableError";
  }
}

/**
 * Removes an account and everything it took part in. Each step is safe to repeat, and the
 * user record goes last, so an interrupted run is finished by the next purge: the account is
 * expired first (no sign-in), connections next (nobody sees it), then rooms and hubs.
 */
export async function removeAccount(env: Env, store: Store, userId: string, reason: AccountEndReason): Promise<void> {
  const expired = await store.expireUser(userId, Date.now());
  if (!expired.ok) throw new StoreUnavailableError("expireUser");
  const detached = await store.detachUser(userId);
  if (!detached.ok) throw new StoreUnavailableError("detachUser");
  const { conversationIds, formerConnections } = detached.value;
  // The leaving user's sockets learn why; the other member's, that the conversation is gone.
  await Promise.all(conversationIds.map((id) => roomFor(env, id).destroy({ userId, reason })));
  await Promise.all(
    formerConnections.map(async (peerId) => {
      const conversationId = await directConversationId(userId, peerId);
      await hubFor(env, peerId)
        .connectionRemoved(userId, conversationId, "account-ended")
        .catch((error: unknown) => log("error", "former_connection_not_told", {}, error));
    }),
  );
  await hubFor(env, userId).endAccount(reason);
  const deleted = await store.deleteUser(userId);
  if (!deleted.ok) throw new StoreUnavailableError("deleteUser");
}

/**
 * A logged-out session's sockets close at once: its hub's, in every tab, and its rooms' (every
 * conversation the user is in). A room that cannot be reached is logged; its socket still
 * refuses nothing by itself, so the failure is worth seeing.
 */
export async function closeSessionSockets(env: Env, store: Store, session: SessionClaims): Promise<void> {
  const { userId, sessionId } = session;
  const connections = await store.listConnections(userId);
  const conversationIds = connections.ok ? connections.value.map((connection) => connection.conversationId) : [];
  if (!connections.ok) log("warn", "logout_rooms_unknown", { reason: connections.reason });
  const results = await Promise.allSettled([
    hubFor(env, userId).endSession(sessionId),
    ...conversationIds.map((id) => roomFor(env, id).endSession(userId, sessionId)),
  ]);
  const failures = results.filter((result) => result.status === "rejected");
  if (failures.length > 0) log("error", "logout_sockets_not_closed", { failures: failures.length });
}

/**
 * Removes accounts past their lifetime; returns how many. One account that fails is logged and
 * skipped (the next run retries it), and a batch in which nothing could be removed ends the run.
 */
export async function purgeExpiredAccounts(env: Env, store: Store, now: number): Promise<number> {
  const failed = new Set<string>();
  let removed = 0;
  for (;;) {
    // Ask past the accounts that failed in this run, so they cannot fill every batch.
    const listed = await store.listExpiredUsers(now, PURGE_BATCH + failed.size);
    if (!listed.ok) {
      log("error", "purge_stopped", { reason: listed.reason, removed });
      return removed;
    }
    const batch = listed.value.filter((userId) => !failed.has(userId));
    let progress = 0;
    for (const userId of batch) {
      try {
        await removeAccount(env, store, userId, "expired");
        progress += 1;
      } catch (error) {
        failed.add(userId);
        log("error", "purge_account_failed", { userId }, error);
      }
    }
    removed += progress;
    if (batch.length < PURGE_BATCH || progress === 0) return removed;
  }
}
