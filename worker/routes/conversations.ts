import { Hono } from "hono";
import * as v from "valibot";
import { roomFor } from "../../durable-objects/addresses";
import { withIdentity } from "../../durable-objects/identity";
import { type Connection, type Group, HISTORY_PAGE_MAX, type Message } from "../../protocol/api";
import { log } from "../../server/log";
import type { OpenedConversation } from "../../server/ports/store";
import { requireUser, socketOwner } from "../auth/session";
import { readConnectionFromRoom, readConnections } from "../contacts";
import type { AppEnv, SignedInContext } from "../context";
import { groupFromRoom, readGroupAs, viewGroupAs } from "../groups";
import { notFound, storeUnavailable } from "../lib/errors";
import { requireUpgrade } from "../lib/upgrade";
import { validate } from "../lib/validate";

const DEFAULT_PAGE = 50;
const Count = v.pipe(v.string(), v.regex(/^\d{1,9}$/, "must be a whole number"), v.transform(Number));
const HistoryQuery = v.object({
  before: v.optional(v.pipe(Count, v.minValue(1, "before must be at least 1"))),
  limit: v.optional(
    v.pipe(
      Count,
      v.minValue(1, "limit must be at least 1"),
      v.maxValue(HISTORY_PAGE_MAX, `limit must be at most ${HISTORY_PAGE_MAX}`),
    ),
    String(DEFAULT_PAGE),
  ),
});

export const conversationRoutes = new Hono<AppEnv>()
  .use(requireUser)
  /**
   * One conversation as the user's lists show it, so a direct link need not wait for both lists.
   * While the Store is unreachable the room answers for a member it knows, as for history.
   */
  .get("/:id", async (c) => {
    const me = c.var.user;
    const conversationId = c.req.param("id");
    const opened = await c.var.store.openConversation(me.id, conversationId);
    if (!opened.ok && opened.reason === "unavailable") return answerFromRoom(c, conversationId);
    if (!opened.ok) throw notFoundConversation();
    const { id, group } = opened.value;
    if (group) {
      const record = await readGroupAs(c.var.store, id, me.id);
      return c.json<{ group: Group }>({ group: await viewGroupAs(c.env, me.id, record, null) });
    }
    const [entry] = await readConnections(c.env, c.var.store, c.var.cache, me.id, id);
    // Closed between the two reads: gone for this user as well.
    if (!entry) throw notFoundConversation();
    return c.json<{ connection: Connection }>({ connection: entry.connection });
  })
  .get("/:id/messages", validate("query", HistoryQuery), async (c) => {
    const conversation = await openConversation(c, c.req.param("id"));
    const { before, limit } = c.req.valid("query");
    // Without the Store's word, the room answers only a member it knows; in a group, history
    // starts where this member joined, which the room knows by the member.
    const memberCheck = conversation.verified && !conversation.group ? undefined : c.var.user.id;
    const page = await roomFor(c.env, conversation.id).history(before, limit, memberCheck);
    if (!page) throw notFoundConversation();
    return c.json<{ messages: Message[]; hasMore: boolean }>(page);
  })
  .get("/:id/ws", async (c) => {
    requireUpgrade(c);
    const conversation = await openConversation(c, c.req.param("id"));
    const identity = {
      ...socketOwner(c),
      conversationId: conversation.id,
      // Absent when the Store could not be asked: the room then admits only members it knows.
      ...(conversation.verified ? { members: conversation.members, pendingFrom: conversation.pendingFrom } : {}),
      ...(conversation.verified && conversation.group ? { group: conversation.group } : {}),
    };
    return roomFor(c.env, conversation.id).fetch(withIdentity(c.req.raw, identity));
  });

type Opened = (OpenedConversation & { verified: true }) | { id: string; verified: false };

/**
 * The conversation with its members, when it exists and the signed-in user may open it. While
 * the Store is unreachable the room decides by its own members table, so open chats, reconnects
 * and history go on.
 */
async function openConversation(c: SignedInContext, conversationId: string): Promise<Opened> {
  const opened = await c.var.store.openConversation(c.var.user.id, conversationId);
  if (opened.ok) return { ...opened.value, verified: true };
  if (opened.reason === "unavailable") return { id: conversationId, verified: false };
  throw notFoundConversation();
}

/**
 * The conversation as its room knows it, shaped as with the Store's word; what only the Store
 * keeps takes a default (groupFromRoom, readConnectionFromRoom). A room that fails too: 503.
 */
async function answerFromRoom(c: SignedInContext, conversationId: string): Promise<Response> {
  const me = c.var.user;
  const known = await roomFor(c.env, conversationId)
    .conversationAs(me.id)
    .catch((error: unknown) => {
      log("error", "room_unavailable", { conversationId }, error);
      throw storeUnavailable();
    });
  if (!known) throw notFoundConversation();
  const group = groupFromRoom(conversationId, known);
  if (group) return c.json<{ group: Group }>({ group: await viewGroupAs(c.env, me.id, group, null) });
  const entry = await readConnectionFromRoom(c.env, c.var.cache, me.id, conversationId, known);
  if (!entry) throw notFoundConversation();
  return c.json<{ connection: Connection }>({ connection: entry.connection });
}

/** Not a member: the same answer as for no conversation, so ids cannot be probed. */
const notFoundConversation = () => notFound("No such conversation.", "conversation_not_found");
