import { Hono } from "hono";
import * as v from "valibot";
import type { UserSummary } from "../../protocol/api";
import { answered } from "../../server/ports/store";
import { requireUser } from "../auth/session";
import { endConversation } from "../contacts";
import type { AppEnv } from "../context";
import { badRequest } from "../lib/errors";
import { validate } from "../lib/validate";

const BlockBody = v.object({ userId: v.pipe(v.string("userId is required"), v.minLength(1), v.maxLength(64)) });

/** Blocking: the connection and its conversation go, and neither side can find or request the other. */
export const blockRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post("/", validate("json", BlockBody), async (c) => {
    const me = c.var.user;
    const { userId } = c.req.valid("json");
    if (userId === me.id) throw badRequest("You cannot block yourself.", "invalid_input");
    const blocked = answered(await c.var.store.block(me.id, userId, Date.now()));
    const conversationId = blocked.value.closedConversationId;
    if (conversationId) {
      await endConversation(c.env, c.var.store, c.executionCtx, { meId: me.id, otherId: userId, conversationId });
    }
    return c.body(null, 204);
  })
  .get("/", async (c) => {
    const listed = answered(await c.var.store.listBlocked(c.var.user.id));
    return c.json<{ blocked: Pick<UserSummary, "id" | "username">[] }>({ blocked: listed.value });
  })
  .delete("/:userId", async (c) => {
    answered(await c.var.store.unblock(c.var.user.id, c.req.param("userId")));
    return c.body(null, 204);
  });
