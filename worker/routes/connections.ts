import { Hono } from "hono";
import * as v from "valibot";
import { hubFor, roomFor } from "../../durable-objects/addresses";
import type { Connection } from "../../protocol/api";
import { directConversationId } from "../../server/conversation-id";
import { log } from "../../server/log";
import { answered, type ConnectionRecord } from "../../server/ports/store";
import { readPresence } from "../../server/presence";
import { RATE_RULES } from "../../server/rate-limit";
import { requireUser } from "../auth/session";
import { announceRequests, endConversation, readConnections, seenByOther, toConnection } from "../contacts";
import type { AppEnv, SignedInContext } from "../context";
import { badRequest, notFound } from "../lib/errors";
import { validate } from "../lib/validate";
import { clientIp, enforce } from "../middleware/rate-limit";

const UserId = v.pipe(v.string("userId is required"), v.minLength(1), v.maxLength(64));
const AddBody = v.object({ userId: UserId });

export const connectionRoutes = new Hono<AppEnv>()
  .use(requireUser)
  /** A message request: one step for the person who asks; the other side accepts, deletes or blocks. */
  .post("/", validate("json", AddBody), async (c) => {
    const me = c.var.user;
    const { userId } = c.req.valid("json");
    if (userId === me.id) throw badRequest("You cannot add yourself.", "cannot_connect_self");
    await enforce(c, RATE_RULES.requestPerUser, me.id);
    await enforce(c, RATE_RULES.requestPerIp, clientIp(c));
    const { created, connection } = await addConnection(c, userId, false);
    return c.json({ connection }, created ? 201 : 200);
  })
  .get("/", async (c) => {
    const entries = await readConnections(c.env, c.var.store, c.var.cache, c.var.user.id);
    const connections = entries
      .map(({ record, connection }) => ({ connection, at: lastActivityAt(connection, record) }))
      .sort((a, b) => b.at - a.at)
      .map((entry) => entry.connection);
    return c.json({ connections });
  })
  .post("/:userId/accept", async (c) => {
    const me = c.var.user;
    const otherId = c.req.param("userId");
    const accepted = answered(await c.var.store.acceptConnection(me.id, otherId));
    if (!accepted.ok) {
      throw notFound("There is no request from this person.", "connection_not_found");
    }
    const record = accepted.value;
    await roomFor(c.env, record.conversationId).accept();
    const connection = await announceConnection(c, record);
    return c.json({ connection });
  })
  /** Removes a contact, or declines or withdraws a request: the conversation goes for both. */
  .delete("/:userId", async (c) => {
    const me = c.var.user;
    const otherId = c.req.param("userId");
    const removed = answered(await c.var.store.removeConnection(me.id, otherId));
    if (!removed.value) return c.body(null, 204);
    const conversationId = await directConversationId(me.id, otherId);
    await endConversation(c.env, c.var.store, c.executionCtx, { meId: me.id, otherId, conversationId });
    return c.body(null, 204);
  });

/**
 * Adds a connection from the signed-in user to `otherId` (a request, or accepted at once for an
 * invite) and tells both sides. Someone who blocked you, or whom you blocked, does not exist here.
 */
export async function addConnection(
  c: SignedInContext,
  otherId: string,
  accepted: boolean,
): Promise<{ created: boolean; connection: Connection }> {
  const me = c.var.user;
  const found = answered(await c.var.store.getUser(otherId));
  const other = found.value;
  if (!other || other.expiresAt <= Date.now()) throw notFound("No such user.", "user_not_found");
  const conversationId = await directConversationId(me.id, other.id);
  const added = answered(await c.var.store.addConnection(me.id, other.id, conversationId, Date.now(), { accepted }));
  if (!added.ok) throw notFound("No such user.", "user_not_found");
  const { created, connection: record } = added.value;
  if (record.status === "accepted") await roomFor(c.env, record.conversationId).accept();
  const connection = await announceConnection(c, record);
  return { created, connection };
}

/** Pushes a connection's current state to both sides' hubs, each in its own view, and the request counts. */
async function announceConnection(c: SignedInContext, record: ConnectionRecord): Promise<Connection> {
  const me = c.var.user;
  const presence = record.status === "accepted" ? await readPresence(c.var.cache, [me.id, record.userId]) : new Map();
  const mine = toConnection(me.id, record, presence.get(record.userId), await activityOf(c, record.conversationId));
  const theirs = toConnection(record.userId, seenByOther(me, record), presence.get(me.id), undefined);
  c.executionCtx.waitUntil(
    Promise.all([
      hubFor(c.env, record.userId).connectionAdded(theirs),
      hubFor(c.env, me.id).connectionAdded(mine),
      announceRequests(c.env, c.var.store, record.userId),
      announceRequests(c.env, c.var.store, me.id),
    ]).catch((error: unknown) => log("error", "connection_not_announced", {}, error)),
  );
  return mine;
}

async function activityOf(c: SignedInContext, conversationId: string) {
  return (await hubFor(c.env, c.var.user.id).summaries()).find((entry) => entry.conversationId === conversationId);
}

/** The newest message, or the moment they connected when they have not talked yet. */
function lastActivityAt(connection: Connection, record: ConnectionRecord): number {
  return connection.lastMessage ? Date.parse(connection.lastMessage.sentAt) : record.createdAt;
}
