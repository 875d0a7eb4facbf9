import { Hono } from "hono";
import * as v from "valibot";
import { roomFor } from "../../durable-objects/addresses";
import { withIdentity } from "../../durable-objects/identity";
import { HISTORY_PAGE_MAX, type Message } from "../../protocol/api";
import type { ConversationRecord } from "../../server/ports/store";
import { requireUser } from "../auth/session";
import type { AppContext, AppEnv } from "../context";
import { forbidden, notFound } from "../lib/errors";
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
  .get("/:id/messages", validate("query", HistoryQuery), async (c) => {
    const conversation = await requireAccess(c, c.req.param("id"));
    const { before, limit } = c.req.valid("query");
    const page = await roomFor(c.env, conversation.id).history(conversation.id, before, limit);
    return c.json<{ messages: Message[]; hasMore: boolean }>(page);
  })
  .get("/:id/ws", async (c) => {
    requireUpgrade(c);
    const conversation = await requireAccess(c, c.req.param("id"));
    const members = await Promise.all(conversation.members.map((id) => c.var.store.getUser(id)));
    const identity = {
      userId: c.var.user.id,
      username: c.var.user.username,
      conversationId: conversation.id,
      members: members.flatMap((member) => (member ? [{ id: member.id, username: member.username }] : [])),
    };
    return roomFor(c.env, conversation.id).fetch(withIdentity(c.req.raw, identity));
  });

/** The conversation, when it exists and the signed-in user may open it. */
async function requireAccess(c: AppContext, conversationId: string): Promise<ConversationRecord> {
  const conversation = await c.var.store.getConversation(conversationId);
  if (!conversation) throw notFound("No such conversation.", "conversation_not_found");
  if (!(await c.var.store.canAccessConversation(c.var.user.id, conversationId))) {
    throw forbidden("You are not a member of this conversation.", "not_a_member");
  }
  return conversation;
}
