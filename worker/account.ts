import { WorkerEntrypoint } from "cloudflare:workers";
import { hubFor, roomFor } from "../durable-objects/addresses";
import type { EndedMember } from "../durable-objects/conversation-room";
import type { AccountEndReason } from "../protocol/wire";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import { type DetachedUserOf, type Store, USER_BATCH_MAX } from "../server/ports/store";
import type { SessionClaims } from "./auth/session-token";
import { endGroupMemberships } from "./groups";
import { directConversationId } from "./lib/conversation-id";

/** Accounts handled per purge batch, as many as one Store call takes; the next run picks up what one run leaves. */
const PURGE_BATCH = USER_BATCH_MAX;

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
  const entry = { userId, ...detached.value };
  await endAccountObjects(env, entry, reason, new EndingBatch(env, [entry], reason));
  const deleted = await store.deleteUser(userId);
  if (!deleted.ok) throw new StoreUnavailableError("deleteUser");
}

/**
 * The accounts ending together (a purge batch, or one deleted account): a room that several of
 * them share is destroyed once, naming each of them, and a contact ending here is not told of the
 * others (their hub ends anyway).
 */
class EndingBatch {
  readonly userIds: Set<string>;
  private readonly endedIn = new Map<string, EndedMember[]>();
  private readonly destroyed = new Map<string, Promise<void>>();

  constructor(
    private readonly env: Env,
    entries: DetachedUserOf[],
    reason: AccountEndReason,
  ) {
    this.userIds = new Set(entries.map((entry) => entry.userId));
    for (const { userId, conversationIds } of entries) {
      for (const id of conversationIds) this.endedIn.set(id, [...(this.endedIn.get(id) ?? []), { userId, reason }]);
    }
  }

  /** One destroy per room and batch, whichever of its ending members asks first. */
  destroyRoom(conversationId: string): Promise<void> {
    let destroying = this.destroyed.get(conversationId);
    if (!destroying) {
      destroying = roomFor(this.env, conversationId).destroy(this.endedIn.get(conversationId) ?? []);
      this.destroyed.set(conversationId, destroying);
    }
    return destroying;
  }
}

/**
 * The objects' part of removing an account: its rooms (the leaving user's sockets learn why, the
 * other member's that the conversation is gone), its contacts' lists, its hub. Safe to repeat.
 */
async function endAccountObjects(
  env: Env,
  detached: DetachedUserOf,
  reason: AccountEndReason,
  batch: EndingBatch,
): Promise<void> {
  const { userId, conversationIds, formerConnections } = detached;
  await Promise.all(conversationIds.map((id) => batch.destroyRoom(id)));
  await endGroupMemberships(env, storeFor(env, userId), userId, detached.groupIds ?? [], reason);
  await Promise.all(
    formerConnections
      .filter((peerId) => !batch.userIds.has(peerId))
      .map(async (peerId) => {
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

/** Purge batches in flight at once: the Store's calls for one overlap the objects' work of another. */
const BATCHES_IN_FLIGHT = 2;

/** What one purge batch did: accounts removed, accounts whose objects failed, a Store failure that stops the run. */
export interface PurgeBatchOutcome {
  removed: number;
  failed: string[];
  storeFailure: string | null;
}

/** Runs one purge batch: in this invocation (the default), or in one of its own (`PurgeBatch`). */
export type PurgeBatchRunner = (userIds: string[]) => Promise<PurgeBatchOutcome>;

/**
 * Removes accounts past their lifetime, a batch at a time (BATCHES_IN_FLIGHT at once). Returns
 * how many were removed. An account that fails is logged and left for the next run, and a round
 * in which nothing could be removed ends the run.
 */
export async function purgeExpiredAccounts(
  env: Env,
  store: Store,
  now: number,
  runBatch: PurgeBatchRunner = (userIds) => purgeBatch(env, store, userIds),
): Promise<number> {
  const failed = new Set<string>();
  let removed = 0;
  for (;;) {
    const wanted = PURGE_BATCH * BATCHES_IN_FLIGHT;
    // Ask past the accounts that failed in this run, so they cannot fill every batch.
    const listed = await store.listExpiredUsers(now, wanted + failed.size);
    if (!listed.ok) return stopPurge(listed.reason, removed);
    const todo = listed.value.filter((userId) => !failed.has(userId));
    if (todo.length === 0) return removed;
    const batches = Array.from({ length: Math.ceil(todo.length / PURGE_BATCH) }, (_, index) =>
      todo.slice(index * PURGE_BATCH, (index + 1) * PURGE_BATCH),
    );
    const outcomes = await Promise.all(
      batches.map((userIds) =>
        runBatch(userIds).catch((error: unknown): PurgeBatchOutcome => {
          log("error", "purge_batch_failed", { accounts: userIds.length }, error);
          return { removed: 0, failed: userIds, storeFailure: null };
        }),
      ),
    );
    const removedNow = outcomes.reduce((sum, outcome) => sum + outcome.removed, 0);
    removed += removedNow;
    for (const outcome of outcomes) for (const userId of outcome.failed) failed.add(userId);
    const storeFailure = outcomes.find((outcome) => outcome.storeFailure !== null)?.storeFailure;
    if (storeFailure) return stopPurge(storeFailure, removed);
    if (todo.length < wanted || removedNow === 0) return removed;
  }
}

/**
 * One purge batch: one Store call detaches its accounts, their rooms and hubs end in parallel, one
 * Store call deletes those whose objects ended. Safe to repeat.
 */
export async function purgeBatch(env: Env, store: Store, userIds: string[]): Promise<PurgeBatchOutcome> {
  const detached = await store.detachUsers(userIds);
  if (!detached.ok) return { removed: 0, failed: [], storeFailure: detached.reason };
  const ending = new EndingBatch(env, detached.value, "expired");
  const outcomes = await Promise.allSettled(
    detached.value.map((entry) => endAccountObjects(env, entry, "expired", ending)),
  );
  const ended = detached.value
    .filter((_, index) => outcomes[index]?.status === "fulfilled")
    .map((entry) => entry.userId);
  const failed: string[] = [];
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status === "fulfilled") continue;
    const userId = detached.value[index]!.userId;
    failed.push(userId);
    log("error", "purge_account_failed", { userId }, outcome.reason);
  }
  const deleted = ended.length > 0 ? await store.deleteUsers(ended) : ({ ok: true, value: null } as const);
  if (!deleted.ok) return { removed: 0, failed, storeFailure: deleted.reason };
  return { removed: ended.length, failed, storeFailure: null };
}

/**
 * A purge batch in an invocation of its own, which the cron's run reaches through `ctx.exports`, so
 * that a batch's calls to rooms and hubs (a few hundred) count against its own subrequest limit,
 * not all of a 10 000-account run's against the cron's. It does not make wrangler dev let go of
 * those objects sooner: workerd keeps each one open (3 SQLite files) until the cron's invocation ends.
 */
export class PurgeBatch extends WorkerEntrypoint<Env> {
  run(userIds: string[]): Promise<PurgeBatchOutcome> {
    return purgeBatch(this.env, storeFor(this.env), userIds);
  }
}

function stopPurge(reason: string, removed: number): number {
  log("error", "purge_stopped", { reason, removed });
  return removed;
}
