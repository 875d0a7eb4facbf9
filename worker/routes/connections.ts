import { Hono } from "hono";
import * as v from "valibot";
import { hubFor, roomFor } from "../../durable-objects/addresses";
import type { ConversationActivity } from "../../durable-objects/user-hub";
import type { Connection } from "../../protocol/api";
import { log } from "../../server/log";
import type { ConnectionRecord } from "../../server/ports/store";
import { type Presence, readPresence } from "../../server/presence";
import { requireUser } from "../auth/session";
import type { AppEnv } from "../context";
import { directConversationId } from "../lib/conversation-id";
import { badRequest, notFound, storeUnavailable } from "../lib/errors";
import { validate } from "../lib/validate";

const AddBody = v.object({ userId: v.pipe(v.string("userId is required"), v.minLength(1), v.maxLength(64)) });

export const connectionRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post("/", validate("json", AddBody), async (c) => {
    const me = c.var.user;
    const { userId } = c.req.valid("json");
    if (userId === me.id) throw badRequest("You cannot add yourself.", "cannot_connect_self");
    const found = await c.var.store.getUser(userId);
    if (!found.ok) throw storeUnavailable();
    const other = found.value;
    if (!other || other.expiresAt <= Date.now()) throw notFound("No such user.", "user_not_found");
    const conversationId = await directConversationId(me.id, other.id);
    const added = await c.var.store.addConnection(me.id, other.id, conversationId, Date.now());
    if (!added.ok && added.reason === "unknown_user") throw notFound("No such user.", "user_not_found");
    if (!added.ok) throw storeUnavailable();
    const { created, connection } = added.value;
    const presence = await readPresence(c.var.cache, [me.id, other.id]);
    const mine = await describe(c.env, me.id, connection, presence.get(other.id));
    if (created) {
      const theirs: Connection = {
        ...mine,
        user: { id: me.id, username: me.username },
        ...presenceFields(presence.get(me.id)),
        unread: 0,
      };
      c.executionCtx.waitUntil(
        Promise.all([
          hubFor(c.env, other.id).connectionAdded(theirs),
          hubFor(c.env, me.id).connectionAdded(mine),
        ]).catch((error: unknown) => log("error", "connection_not_announced", {}, error)),
      );
    }
    return c.json({ connection: mine }, created ? 201 : 200);
  })
  .get("/", async (c) => {
    const me = c.var.user;
    const [listed, activity] = await Promise.all([
      c.var.store.listConnections(me.id),
      hubFor(c.env, me.id).summaries(),
    ]);
    if (!listed.ok) throw storeUnavailable();
    const records = listed.value;
    const presence = await readPresence(
      c.var.cache,
      records.map((record) => record.userId),
    );
    const byConversation = new Map(activity.map((entry) => [entry.conversationId, entry]));
    const connections = records
      .map((record) => toConnection(record, presence.get(record.userId), byConversation.get(record.conversationId)))
      .map((connection, index) => ({ connection, at: lastActivityAt(connection, records[index]!) }))
      .sort((a, b) => b.at - a.at)
      .map((entry) => entry.connection);
    return c.json({ connections });
  })
  .delete("/:userId", async (c) => {
    const me = c.var.user;
    const otherId = c.req.param("userId");
    const removed = await c.var.store.removeConnection(me.id, otherId);
    if (!removed.ok) throw storeUnavailable();
    if (!removed.value) return c.body(null, 204);
    // Both sides lose the conversation: connecting again starts an empty one.
    const conversationId = await directConversationId(me.id, otherId);
    await roomFor(c.env, conversationId).destroy();
    const archive = await c.var.store.deleteConversationMessages(conversationId);
    if (!archive.ok) log("error", "archive_not_deleted", { conversationId, reason: archive.reason });
    c.executionCtx.waitUntil(
      Promise.all([
        hubFor(c.env, otherId).connectionRemoved(me.id, conversationId, "removed"),
        hubFor(c.env, me.id).connectionRemoved(otherId, conversationId, "removed"),
      ]).catch((error: unknown) => log("error", "removal_not_announced", {}, error)),
    );
    return c.body(null, 204);
  });

/** A connection as `me` sees it, with the unread count and preview their hub keeps. */
async function describe(
  env: Env,
  meId: string,
  record: ConnectionRecord,
  presence: Presence | undefined,
): Promise<Connection> {
  const activity = (await hubFor(env, meId).summaries()).find(
    (entry) => entry.conversationId === record.conversationId,
  );
  return toConnection(record, presence, activity);
}

function toConnection(
  record: ConnectionRecord,
  presence: Presence | undefined,
  activity: ConversationActivity | undefined,
): Connection {
  return {
    user: { id: record.userId, username: record.username },
    conversationId: record.conversationId,
    // Requests come with the consent work that follows; until then every connection is mutual.
    status: "accepted",
    direction: "outgoing",
    ...presenceFields(presence),
    lastMessage: activity?.lastMessage ?? null,
    unread: activity?.unread ?? 0,
  };
}

function presenceFields(presence: Presence | undefined): Pick<Connection, "online" | "lastSeenAt"> {
  return { online: presence?.online ?? false, lastSeenAt: presence?.lastSeenAt ?? null };
}

/** The newest message, or the moment they connected when they have not talked yet. */
function lastActivityAt(connection: Connection, record: ConnectionRecord): number {
  return connection.lastMessage ? Date.parse(connection.lastMessage.sentAt) : record.createdAt;
}
