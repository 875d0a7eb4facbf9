import { hubFor, roomFor } from "../durable-objects/addresses";
import type { KnownConversation } from "../durable-objects/conversation-room";
import type { Connection } from "../protocol/api";
import type { ConversationActivity } from "../server/hub-views";
import { log } from "../server/log";
import type { Cache } from "../server/ports/cache";
import { answered, type ConnectionRecord, type Store } from "../server/ports/store";
import { type Presence, readPresence } from "../server/presence";

/** A connection as its viewer sees it, beside the record it was built from. */
export interface ConnectionEntry {
  record: ConnectionRecord;
  connection: Connection;
}

/**
 * A connection as `viewerId` sees it. Presence is for accepted contacts only: while a request is
 * pending, neither side learns whether the other is online.
 */
export function toConnection(
  viewerId: string,
  record: ConnectionRecord,
  presence: Presence | undefined,
  activity: ConversationActivity | undefined,
): Connection {
  const shown = record.status === "accepted" ? presence : undefined;
  return {
    user: { id: record.userId, username: record.username },
    conversationId: record.conversationId,
    status: record.status,
    direction: record.requestedBy === viewerId ? "outgoing" : "incoming",
    online: shown?.online ?? false,
    lastSeenAt: shown?.lastSeenAt ?? null,
    lastMessage: activity?.lastMessage ?? null,
    unread: activity?.unread ?? 0,
  };
}

/**
 * `viewerId`'s connections as their list shows them, in the Store's order, or only the one of
 * `conversationId` (none when it is not theirs), as `showConnections` shows them.
 */
export async function readConnections(
  env: Env,
  store: Store,
  cache: Cache,
  viewerId: string,
  conversationId?: string,
): Promise<ConnectionEntry[]> {
  const [listing, activity] = await Promise.all([store.listConnections(viewerId), hubFor(env, viewerId).summaries()]);
  const listed = answered(listing);
  const records =
    conversationId === undefined
      ? listed.value
      : listed.value.filter((record) => record.conversationId === conversationId);
  return showConnections(cache, viewerId, records, activity);
}

/**
 * A one-to-one conversation as its room knows it, shown as `readConnections` shows it, for when
 * the Store cannot be asked; null when the room knows nobody else in it.
 */
export async function readConnectionFromRoom(
  env: Env,
  cache: Cache,
  viewerId: string,
  conversationId: string,
  known: KnownConversation,
): Promise<ConnectionEntry | null> {
  const record = recordFromRoom(viewerId, conversationId, known);
  if (!record) return null;
  const [entry] = await showConnections(cache, viewerId, [record], await hubFor(env, viewerId).summaries());
  return entry ?? null;
}

/** Presence read once for the accepted contacts; last message and unread from the viewer's hub. */
async function showConnections(
  cache: Cache,
  viewerId: string,
  records: ConnectionRecord[],
  activity: ConversationActivity[],
): Promise<ConnectionEntry[]> {
  const accepted = records.filter((record) => record.status === "accepted").map((record) => record.userId);
  const presence = await readPresence(cache, accepted);
  const byConversation = new Map(activity.map((entry) => [entry.conversationId, entry]));
  return records.map((record) => ({
    record,
    connection: toConnection(viewerId, record, presence.get(record.userId), byConversation.get(record.conversationId)),
  }));
}

/**
 * The record the room's facts allow. The room forgets who asked once a request is accepted: an
 * accepted contact then reads as asked by the other (`incoming`). When it was made is unknown (0).
 */
function recordFromRoom(viewerId: string, conversationId: string, known: KnownConversation): ConnectionRecord | null {
  const other = known.members.find((member) => member.id !== viewerId);
  if (!other) return null;
  return {
    userId: other.id,
    username: other.username,
    conversationId,
    createdAt: 0,
    status: known.pendingFrom ? "pending" : "accepted",
    requestedBy: known.pendingFrom ?? other.id,
  };
}

/** The same connection from the other side: `viewer` is the other person now. */
export function seenByOther(viewer: { id: string; username: string }, record: ConnectionRecord): ConnectionRecord {
  return { ...record, userId: viewer.id, username: viewer.username };
}

/** Tells a user's tabs how many requests wait for them. */
export async function announceRequests(env: Env, store: Store, userId: string): Promise<void> {
  const listed = await store.listConnections(userId);
  if (!listed.ok) return;
  const pending = listed.value.filter((record) => record.status === "pending" && record.requestedBy !== userId);
  await hubFor(env, userId).requestsChanged(pending.length);
}

/**
 * A conversation between two people ended (removed, declined, blocked): its room and messages go
 * for both, both lists drop it, and the request counts follow. Awaited up to the room, so that
 * connecting again right after starts empty; the notices go on in the background.
 */
export async function endConversation(
  env: Env,
  store: Store,
  ctx: { waitUntil(promise: Promise<unknown>): void },
  ids: { meId: string; otherId: string; conversationId: string },
): Promise<void> {
  const { meId, otherId, conversationId } = ids;
  await roomFor(env, conversationId).destroy();
  const archive = await store.deleteConversationMessages(conversationId);
  if (!archive.ok) log("error", "archive_not_deleted", { conversationId, reason: archive.reason });
  ctx.waitUntil(
    Promise.all([
      hubFor(env, otherId).connectionRemoved(meId, conversationId, "removed"),
      hubFor(env, meId).connectionRemoved(otherId, conversationId, "removed"),
      announceRequests(env, store, otherId),
      announceRequests(env, store, meId),
    ]).catch((error: unknown) => log("error", "removal_not_announced", {}, error)),
  );
}
