import { Hono } from "hono";
import * as v from "valibot";
import type { UserSummary } from "../../protocol/api";
import { rankUsers } from "../../server/fuzzy";
import { answered } from "../../server/ports/store";
import { RATE_RULES } from "../../server/rate-limit";
import { requireUser } from "../auth/session";
import type { AppEnv } from "../context";
import { validate } from "../lib/validate";
import { clientIp, enforce } from "../middleware/rate-limit";

const SEARCH_LIMIT = 20;
const SearchQuery = v.object({
  q: v.pipe(
    v.string("q is required"),
    v.trim(),
    v.minLength(1, "q is empty"),
    v.maxLength(32, "q holds at most 32 characters"),
  ),
});

/**
 * Search among strangers: names only. No presence (that is for accepted contacts), nobody who
 * blocked the searcher or whom they blocked, and limited per user and per IP so that nobody can
 * list everyone.
 */
export const userRoutes = new Hono<AppEnv>().use(requireUser).get("/", validate("query", SearchQuery), async (c) => {
  await enforce(c, RATE_RULES.searchPerUser, c.var.user.id);
  await enforce(c, RATE_RULES.searchPerIp, clientIp(c));
  const { q } = c.req.valid("query");
  const candidates = answered(await c.var.store.searchCandidates(q, { excludeUserId: c.var.user.id, now: Date.now() }));
  const users: UserSummary[] = rankUsers(q, candidates.value, SEARCH_LIMIT).map((user) => ({
    id: user.id,
    username: user.username,
    online: false,
  }));
  return c.json({ users });
});
