import type { AccountEndReason } from "../protocol/wire";
import { directConversationId } from "../server/conversation-id";
import { withAnAdmin } from "../server/group-rules";
import { log } from "../server/log";
import { answered, type DetachedUserOf, type Store } from "../server/ports/store";
import { hubFor, roomFor } from "./addresses";
import type { EndedMember } from "./conversation-room";
import { tellGroupHubs } from "./group-hubs";

/** What one purge batch did: accounts removed, accounts whose objects failed, a Store failure that stops the run. */
export interface PurgeBatchOutcome {
  removed: number;
  failed: string[];
  storeFailure: string | null;
}

/**
 * Removes an account and everything it took part in (a deletion, from the Worker). Each step is
 * safe to repeat, and the user record goes last, so an interrupted run is finished by the next
 * purge: the account is expired first (no sign-in), connections next (nobody sees it), then rooms
 * and hubs.
 */
export async function removeAccount(env: Env, store: Store, userId: string, reason: AccountEndReason): Promise<void> {
  answered(await store.expireUser(userId, Date.now()), "expireUser");
  const detached = answered(await store.detachUser(userId), "detachUser");
  const entry = { userId, ...detached.value };
  await endAccountObjects(env, store, entry, reason, new EndingBatch(env, [entry], reason));
  answered(await store.deleteUser(userId), "deleteUser");
}

/**
 * One purge batch of expired accounts (the Purger's rounds): one Store call detaches them, their
 * rooms and hubs end in parallel, one Store call deletes those whose objects ended. An account
 * whose objects fail is left for the next run. Safe to repeat.
 */
export async function purgeBatch(env: Env, store: Store, userIds: string[]): Promise<PurgeBatchOutcome> {
  const detached = await store.detachUsers(userIds);
  if (!detached.ok) return { removed: 0, failed: [], storeFailure: detached.reason };
  const ending = new EndingBatch(env, detached.value, "expired");
  const outcomes = await Promise.allSettled(
    detached.value.map((entry) => endAccountObjects(env, store, entry, "expired", ending)),
  );
  const ended: string[] = [];
  const failed: string[] = [];
  for (const [index, outcome] of outcomes.entries()) {
    const userId = detached.value[index]!.userId;
    if (outcome.status === "fulfilled") {
      ended.push(userId);
      continue;
    }
    failed.push(userId);
    log("error", "purge_account_failed", { userId }, outcome.reason);
  }
  const deleted = ended.length > 0 ? await store.deleteUsers(ended) : ({ ok: true, value: null } as const);
  if (!deleted.ok) return { removed: 0, failed, storeFailure: deleted.reason };
  return { removed: ended.length, failed, storeFailure: null };
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
 * other member's that the conversation is gone), its groups, its contacts' lists, its hub. Safe
 * to repeat.
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
 * A member whose account ended leaves each of their groups. The room removes their messages and
 * writes the line (and destroys itself when nobody is left); the others' lists drop them. The
 * Store removes the membership afterwards (`deleteUsers`). A room that fails fails the account,
 * which the purge retries on its next run.
 */
async function endGroupMemberships(
  env: Env,
  store: Store,
  userId: string,
  groupIds: string[],
  reason: AccountEndReason,
): Promise<void> {
  await Promise.all(
    groupIds.map(async (groupId) => {
      const { remaining } = await roomFor(env, groupId).memberEnded({ userId, reason });
      if (remaining.length === 0) return;
      const found = await store.getGroup(groupId);
      if (!found.ok || !found.value) return log("warn", "group_ending_not_told", { groupId });
      const stay = new Set(remaining);
      const members = found.value.members.filter((member) => member.id !== userId && stay.has(member.id));
      await tellGroupHubs(env, { ...found.value, members: withAnAdmin(members) }, null);
    }),
  );
}
