import { hubFor, roomFor } from "../durable-objects/addresses";
import type { AccountEndReason } from "../protocol/wire";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import type { DetachedUserOf, Store } from "../server/ports/store";
import type { SessionClaims } from "./auth/session-token";
import { endGroupMemberships } from "./groups";
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
  await endAccountObjects(env, { userId, ...detached.value }, reason);
  const deleted = await store.deleteUser(userId);
  if (!deleted.ok) throw new StoreUnavailableError("deleteUser");
}

/**
 * The objects' part of removing an account: its rooms (the leaving user's sockets learn why, the
 * other member's that the conversation is gone), its contacts' lists, its hub. Safe to repeat.
 */
async function endAccountObjects(env: Env, detached: DetachedUserOf, reason: AccountEndReason): Promise<void> {
  const { userId, conversationIds, formerConnections } = detached;
  await Promise.all(conversationIds.map((id) => roomFor(env, id).destroy({ userId, reason })));
  await endGroupMemberships(env, storeFor(env, userId), userId, detached.groupIds ?? [], reason);
  await Promise.all(
    formerConnections.map(async (peerId) => {
      const conversationId = await directConversationId(userId, peerId);
      await hubFor(env, peerId)
        .connectionRemoved(userId, conversationId, "account-ended")
        .catch((error: unknown) => log("error", "former_connection_not_told", {}, error));
    }),
  );
  await hubFor(env, userId).endAccount(reason);
}

/**
 * A logged-out session's sockets close at once: its hub's, in every tab, and its rooms' (every
 * conversation the user is in). A room that cannot be reached is logged; its socket still
 * refuses nothing by itself, so the failure is worth seeing.
 */
export async function closeSessionSockets(env: Env, store: Store, session: SessionClaims): Promise<void> {
  const { userId, sessionId } = session;
  const [connections, groups] = await Promise.all([store.listConnections(userId), store.listGroups(userId)]);
  const conversationIds = [
    ...(connections.ok ? connections.value.map((connection) => connection.conversationId) : []),
    ...(groups.ok ? groups.value.map((group) => group.id) : []),
  ];
  if (!connections.ok || !groups.ok) log("warn", "logout_rooms_unknown", {});
  const results = await Promise.allSettled([
    hubFor(env, userId).endSession(sessionId),
    ...conversationIds.map((id) => roomFor(env, id).endSession(userId, sessionId)),
  ]);
  const failures = results.filter((result) => result.status === "rejected");
  if (failures.length > 0) log("error", "logout_sockets_not_closed", { failures: failures.length });
}

/**
 * Removes accounts past their lifetime, a batch at a time: one Store call detaches the batch, the
 * rooms and hubs of its accounts end in parallel, one Store call deletes those whose objects
 * ended. Returns how many were removed. An account that fails is logged and left for the next
 * run, and a batch in which nothing could be removed ends the run.
 */
export async function purgeExpiredAccounts(env: Env, store: Store, now: number): Promise<number> {
  const failed = new Set<string>();
  let removed = 0;
  for (;;) {
    // Ask past the accounts that failed in this run, so they cannot fill every batch.
    const listed = await store.listExpiredUsers(now, PURGE_BATCH + failed.size);
    if (!listed.ok) return stopPurge(listed.reason, removed);
    const batch = listed.value.filter((userId) => !failed.has(userId));
    if (batch.length === 0) return removed;
    const detached = await store.detachUsers(batch);
    if (!detached.ok) return stopPurge(detached.reason, removed);
    const outcomes = await Promise.allSettled(detached.value.map((entry) => endAccountObjects(env, entry, "expired")));
    const ended = detached.value
      .filter((_, index) => outcomes[index]?.status === "fulfilled")
      .map((entry) => entry.userId);
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === "fulfilled") continue;
      const userId = detached.value[index]!.userId;
      failed.add(userId);
      log("error", "purge_account_failed", { userId }, outcome.reason);
    }
    const deleted = ended.length > 0 ? await store.deleteUsers(ended) : ({ ok: true, value: null } as const);
    if (!deleted.ok) return stopPurge(deleted.reason, removed);
    removed += ended.length;
    if (batch.length < PURGE_BATCH || ended.length === 0) return removed;
  }
}

function stopPurge(reason: string, removed: number): number {
  log("error", "purge_stopped", { reason, removed });
  return removed;
}
