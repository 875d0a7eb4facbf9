import { Hono } from "hono";
import * as v from "valibot";
import type { UserSummary } from "../../protocol/api";
import { rankUsers } from "../../server/fuzzy";
import { readPresence } from "../../server/presence";
import { requireUser } from "../auth/session";
import type { AppEnv } from "../context";
import { storeUnavailable } from "../lib/errors";
import { validate } from "../lib/validate";

const SEARCH_LIMIT = 20;
const SearchQuery = v.object({
  q: v.pipe(
    v.string("q is required"),
    v.trim(),
    v.minLength(1, "q is empty"),
    v.maxLength(32, "q holds at most 32 characters"),
  ),
});

export const userRoutes = new Hono<AppEnv>().use(requireUser).get("/", validate("query", SearchQuery), async (c) => {
  const { q } = c.req.valid("query");
  const candidates = await c.var.store.searchCandidates(q, { excludeUserId: c.var.user.id, now: Date.now() });
  if (!candidates.ok) throw storeUnavailable();
  const found = rankUsers(q, candidates.value, SEARCH_LIMIT);
  const online = await readPresence(
    c.var.cache,
    found.map((user) => user.id),
  );
  const users: UserSummary[] = found.map((user) => ({
    id: user.id,
    username: user.username,
    online: online.get(user.id)?.online ?? false,
  }));
  return c.json({ users });
});
