import { WorkerEntrypoint } from "cloudflare:workers";
import { hubFor, roomFor } from "../durable-objects/addresses";
import type { EndedMember } from "../durable-objects/conversation-room";
import { type PurgeBatchOutcome, type PurgeBatchRunner, purgeRound } from "../durable-objects/purger";
import type { AccountEndReason } from "../protocol/wire";
import { log } from "../server/log";
import { storeFor } from "../server/ports";
import type { DetachedUserOf, Store } from "../server/ports/store";
import type { SessionClaims } from "./auth/session-token";
import { endGroupMemberships } from "./groups";
import { directConversationId } from "./lib/conversation-id";

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
  await endAccountObjects(env, store, entry, reason, new EndingBatch(env, [entry], reason));
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
  store: Store,
  detached: DetachedUserOf,
  reason: AccountEndReason,
  batch: EndingBatch,
): Promise<void> {
  const { userId, conversationIds, formerConnections } = detached;
  await Promise.all(conversationIds.map((id) => batch.destroyRoom(id)));
  await endGroupMemberships(env, store, userId, detached.groupIds, reason);
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

/**
 * Runs a whole purge in this invocation, round after round (durable-objects/purger.ts), and returns
 * how many accounts it removed. The app's purge runs each round in an alarm of the Purger instead;
 * this is the same work for a caller that holds its own `env` (the tests' unreachable object).
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
    const round = await purgeRound(store, now, failed, runBatch);
    removed += round.removed;
    for (const userId of round.failed) failed.add(userId);
    if (round.storeFailure !== null) log("error", "purge_stopped", { reason: round.storeFailure, removed });
    if (!round.more) return removed;
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
    detached.value.map((entry) => endAccountObjects(env, store, entry, "expired", ending)),
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
 * A purge batch in an invocation of its own, which the Purger's rounds reach through `ctx.exports`,
 * so that a batch's calls to rooms and hubs (a few hundred) count against its own subrequest limit.
 */
export class PurgeBatch extends WorkerEntrypoint<Env> {
  run(userIds: string[]): Promise<PurgeBatchOutcome> {
    return purgeBatch(this.env, storeFor(this.env), userIds);
  }
}
