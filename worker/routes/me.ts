import { Hono } from "hono";
import { removeAccount } from "../../durable-objects/account-ending";
import { hubFor } from "../../durable-objects/addresses";
import { withIdentity } from "../../durable-objects/identity";
import type { User } from "../../protocol/api";
import { endSession, requireUser, socketOwner } from "../auth/session";
import type { AppEnv } from "../context";
import { requireUpgrade } from "../lib/upgrade";
import { toUser } from "../lib/views";

export const meRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/", (c) => c.json<{ user: User }>({ user: toUser(c.var.user) }))
  .delete("/", async (c) => {
    // Nothing is half-removed when the Store fails: the next try (or the purge) finishes the job.
    await removeAccount(c.env, c.var.store, c.var.user.id, "deleted");
    await endSession(c);
    return c.body(null, 204);
  })
  .get("/ws", (c) => {
    requireUpgrade(c);
    return hubFor(c.env, c.var.user.id).fetch(withIdentity(c.req.raw, socketOwner(c)));
  });
